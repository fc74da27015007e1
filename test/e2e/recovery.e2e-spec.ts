import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, RedisKeys } from '#libs/contract';
import { FANOUT_QUEUE } from '#libs/jobs';
import { redisOptionsFromUrl } from '#libs/redis';
import { freePort, startStack } from '../support/processes.js';
import { pageIds, readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// Two ways Redis and PostgreSQL part, healed: a job delivered twice (a retry after a lost acknowledgement), and
// PostgreSQL changed behind Redis's back (a restore from backup), which the admin's rebuild must repair.

const config = testConfig();
let stack: Awaited<ReturnType<typeof startStack>>;
let api: ApiClient;
let queue: Queue;
let db: pg.Client;

beforeAll(async () => {
  const port = await freePort();
  stack = await startStack(envOf(config, { TIMELINE_STRATEGY: 'push' }), port);
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
  queue = new Queue(FANOUT_QUEUE, {
    connection: redisOptionsFromUrl(config.redisUrl),
    prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
  });
  db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await queue?.close();
  await stack?.stop();
});

async function authorWithFans(count: number) {
  const author = await api.createUser(uniqueHandle('author'));
  const fans = [];
  for (let i = 0; i < count; i++) {
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    fans.push(fan);
  }
  await api.waitIdle();
  for (const fan of fans) await readFromMailbox(api, fan.token);
  return { author, fans };
}

const pull = async (token: string) => pageIds((await api.call('GET', '/v1/me/timeline?strategy=pull', { token })).body);

describe('recovery', () => {
  it('shows a post once when its fan-out job runs twice', async () => {
    const { author, fans } = await authorWithFans(3);
    const post = await api.post(author.token, 'delivered twice');
    await api.waitIdle();
    const { rows } = await db.query<{ id: string; payload: object }>(
      `SELECT id::text, payload FROM outbox WHERE type = 'post.created' AND payload->>'postId' = $1`,
      [post.id],
    );
    expect(rows).toHaveLength(1);
    // The same event again under another job id, as a duplicate delivery would bring it.
    await queue.add(
      'outbox-event',
      { eventId: rows[0]!.id, event: { type: 'post.created', payload: rows[0]!.payload } },
      { jobId: `duplicate-${rows[0]!.id}` },
    );
    const { status } = await api.waitIdle();
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    for (const fan of fans) {
      expect(pageIds(await readFromMailbox(api, fan.token))).toEqual([post.id]);
    }
  });

  it('heals a PostgreSQL changed behind Redis with the admin rebuild', async () => {
    const { author, fans } = await authorWithFans(3);
    const [first, second] = [await api.post(author.token, 'kept'), await api.post(author.token, 'restored away')];
    await api.waitIdle();
    // A restore from an older backup: the second post never existed; and a post Redis never heard of.
    await db.query('DELETE FROM posts WHERE id = $1', [second.id]);
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO posts (author_id, body) VALUES ($1, 'only in the backup') RETURNING id::text`,
      [author.id],
    );
    const expected = [rows[0]!.id, first.id];
    expect(await pull(fans[0]!.token)).toEqual(expected);
    expect(pageIds(await readFromMailbox(api, fans[0]!.token))).not.toEqual(expected);

    await api.rebuildMailboxes();
    await api.waitIdle({ timeoutMs: 120_000 });
    for (const fan of fans) {
      expect(pageIds(await readFromMailbox(api, fan.token))).toEqual(expected);
      expect(await pull(fan.token)).toEqual(expected);
    }
  });
});
