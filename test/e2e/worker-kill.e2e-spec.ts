import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type Service } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { pageIds, readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// A worker SIGKILLed in the middle of fanning out posts to 10,000 followers (50 batch jobs a post): its jobs are taken
// over once their locks expire, and every follower ends with every post exactly once. POSTS is large enough that the
// worker cannot have delivered them all by the time the last one is accepted (4 posts and a 150 ms pause were not:
// a faster delivery path finished them before the kill).

const FOLLOWERS = 10_000;
const POSTS = 16;
const config = testConfig();
const env = envOf(config, { TIMELINE_STRATEGY: 'push', FANOUT_BATCH_SIZE: '200', CELEBRITY_THRESHOLD: '1000000' });
let stack: Awaited<ReturnType<typeof startStack>>;
let worker: Service;
let api: ApiClient;

beforeAll(async () => {
  const port = await freePort();
  stack = await startStack(env, port);
  worker = stack.worker;
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
});
afterAll(async () => Promise.all([stack?.api.stop(), worker?.stop()]));

/** FOLLOWERS users following `authorId`, written straight into PostgreSQL (through the API it would take minutes). */
async function followersOf(authorId: string): Promise<{ id: string; token: string }[]> {
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  try {
    const stem = `k${randomBytes(3).toString('hex')}`;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (handle, display_name) SELECT $1 || g, $1 || g FROM generate_series(1, $2::int) g RETURNING id`,
      [stem, FOLLOWERS],
    );
    await db.query(
      `INSERT INTO follows (follower_id, followee_id) SELECT id, $1 FROM users WHERE handle LIKE $2 || '%'`,
      [authorId, stem],
    );
    await db.query(`UPDATE users SET following_count = 1 WHERE handle LIKE $1 || '%'`, [stem]);
    await db.query(`UPDATE users SET followers_count = followers_count + $2 WHERE id = $1`, [authorId, FOLLOWERS]);
    // Tokens for a sample of them, to read their timelines.
    const sample = rows.filter((_, i) => i % 500 === 0);
    const tokens = sample.map(() => `flt_${randomBytes(24).toString('base64url')}`);
    await db.query(`INSERT INTO tokens (user_id, token_hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`, [
      sample.map((r) => r.id),
      tokens.map((t) => sha256(t)),
    ]);
    return sample.map((r, i) => ({ id: String(r.id), token: tokens[i]! }));
  } finally {
    await db.end();
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

describe('a worker killed mid-fan-out to 10,000 followers', () => {
  it('loses nothing and doubles nothing once another worker takes over', async () => {
    const author = await api.createUser(uniqueHandle('star'));
    const sample = await followersOf(author.id);
    // Every follower's mailbox built first, as in a running deployment (deliveries go to existing mailboxes).
    await api.rebuildMailboxes();
    await api.waitIdle({ timeoutMs: 120_000 });

    const posted: string[] = [];
    for (let i = 0; i < POSTS; i++) posted.push((await api.post(author.token, `to ten thousand ${i}`)).id);
    await worker.stop('SIGKILL');
    const { body: midway } = await api.call('GET', '/v1/admin/fanout', { token: ADMIN_TOKEN });
    expect(midway.pending).toBeGreaterThan(0);

    worker = await startProduct('worker', env);
    const { status } = await api.waitIdle({ timeoutMs: 120_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const expected = [...posted].reverse();
    for (const follower of sample) {
      expect(pageIds(await readFromMailbox(api, follower.token))).toEqual(expected);
      const pull = await api.call('GET', '/v1/me/timeline?strategy=pull', { token: follower.token });
      expect(pageIds(pull.body)).toEqual(expected);
    }
  });
});
