import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, migrateDatabase, RedisKeys } from '#libs/contract';
import { FANOUT_QUEUE } from '#libs/jobs';
import { redisOptionsFromUrl } from '#libs/redis';
import { PrivatePostgres } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { pageIds, readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// PostgreSQL down for longer than a fan-out job's whole retry budget (shortened here with FANOUT_RETRY_DELAY_MS): the
// job gives up, recording the give-up fails too, and the worker must neither die nor strand the post. Once PostgreSQL
// is back, the relay puts the event on the queue again and the post is delivered.

let postgres: PrivatePostgres;
let stack: Awaited<ReturnType<typeof startStack>>;
let api: ApiClient;
let queue: Queue;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  const databaseUrl = postgres.url('fanout_lab_long');
  await migrateDatabase(databaseUrl);
  const config = testConfig({ DATABASE_URL: databaseUrl });
  const port = await freePort();
  // Ten attempts 10 ms apart, doubling: about 10 s in all.
  const env = envOf(config, { TIMELINE_STRATEGY: 'push', FANOUT_RETRY_DELAY_MS: '10', OUTBOX_REENQUEUE_MS: '1000' });
  stack = await startStack(env, port);
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
  queue = new Queue(FANOUT_QUEUE, {
    connection: redisOptionsFromUrl(config.redisUrl),
    prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
  });
}, 60_000);
afterAll(async () => {
  await queue?.close();
  await stack?.stop();
  await postgres?.remove();
});

describe('PostgreSQL down past the retry budget', () => {
  it('strands nothing: the worker lives, and the post is delivered once PostgreSQL is back', async () => {
    const author = await api.createUser(uniqueHandle('author'));
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    await api.waitIdle();
    await readFromMailbox(api, fan.token);

    // The post is committed while PostgreSQL is up; its fan-out runs only once PostgreSQL is gone.
    await queue.pause();
    const post = await api.post(author.token, 'through the outage');
    await postgres.stop();
    await queue.resume();
    const gaveUp = /could not record that event \d+ gave up/;
    for (let i = 0; i < 300 && !gaveUp.test(stack.worker.output()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stack.worker.output()).toMatch(gaveUp);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.worker.child.exitCode).toBeNull();

    await postgres.restart();
    const { status } = await api.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0, delivered: status.accepted });
    expect(pageIds(await readFromMailbox(api, fan.token))).toEqual([post.id]);
  });
});
