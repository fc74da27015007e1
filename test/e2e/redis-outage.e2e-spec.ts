import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '#libs/contract';
import { PrivateRedis } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { pageIds, readFromMailbox, timed } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The API and a worker on a Redis of this test's own, which is killed while they serve and comes back empty. With the
// default timeouts, every request answers within its budget, writes commit and are delivered later, reads fall back to
// PostgreSQL, and once Redis is back every timeline equals pull's with nothing pending.

/** What "fast" means here: the default REDIS_COMMAND_TIMEOUT_MS (1 s) and then some, far from a hang. */
const BUDGET_MS = 2000;

let redis: PrivateRedis;
let stack: Awaited<ReturnType<typeof startStack>>;
let api: ApiClient;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const config = testConfig({ REDIS_URL: redis.url });
  const port = await freePort();
  stack = await startStack(envOf(config, { TIMELINE_STRATEGY: 'push', OUTBOX_REENQUEUE_MS: '1000' }), port);
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
});
afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
});

const ids = pageIds;

describe('Redis down and back, empty', () => {
  it('answers every request within its budget, loses no write, and converges once Redis is back', async () => {
    const author = await api.createUser(uniqueHandle('author'));
    const fans = await Promise.all([1, 2, 3].map(() => api.createUser(uniqueHandle('fan'))));
    for (const fan of fans) await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    const before = await api.post(author.token, 'before the outage');
    await api.waitIdle();

    await redis.stop();

    // Writes: committed and answered, whatever the enqueue does.
    const posted = await timed(() => api.call('POST', '/v1/posts', { token: author.token, body: { body: 'during' } }));
    expect(posted.result.status).toBe(201);
    expect(posted.ms).toBeLessThan(BUDGET_MS);
    const doomed = await api.call('POST', '/v1/posts', { token: author.token, body: { body: 'deleted during' } });
    expect(doomed.status).toBe(201);
    const deleted = await timed(() => api.call('DELETE', `/v1/posts/${doomed.body.id}`, { token: author.token }));
    expect(deleted.result.status).toBe(204);
    expect(deleted.ms).toBeLessThan(BUDGET_MS);
    const late = await api.createUser(uniqueHandle('late'));
    const followed = await timed(() => api.call('PUT', `/v1/me/following/${author.id}`, { token: late.token }));
    expect(followed.result.status).toBe(204);
    expect(followed.ms).toBeLessThan(BUDGET_MS);

    // Reads: PostgreSQL's page, with the writes above in it.
    const expected = [posted.result.body.id, before.id];
    for (const reader of [...fans, late]) {
      const read = await timed(() => api.call('GET', '/v1/me/timeline?strategy=push', { token: reader.token }));
      expect(read.result.status).toBe(200);
      expect(read.result.body.source).toBe('database');
      expect(ids(read.result.body)).toEqual(expected);
      expect(read.ms).toBeLessThan(BUDGET_MS);
    }

    // Operators: a fast 503 that names Redis and not its address; metrics still served.
    const ready = await timed(() => api.call('GET', '/health/ready'));
    expect(ready.result.status).toBe(503);
    expect(ready.result.body).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'not ready: postgres ok; redis unavailable',
    });
    expect(ready.ms).toBeLessThan(BUDGET_MS);
    const fanout = await timed(() => api.call('GET', '/v1/admin/fanout', { token: ADMIN_TOKEN }));
    expect(fanout.result.status).toBe(503);
    expect(fanout.result.body.code).toBe('UNAVAILABLE');
    expect(fanout.ms).toBeLessThan(BUDGET_MS);
    const metrics = await timed(() => fetch(`${api.baseUrl}/metrics`));
    expect(metrics.result.status).toBe(200);
    // Served without the queue's depth, which only Redis knows.
    expect(await metrics.result.text()).not.toMatch(/^fanout_queue_jobs\{/m);
    expect(metrics.ms).toBeLessThan(BUDGET_MS);

    await redis.restart();
    // Every connection reconnects by itself within a second or two; until then the API says 503, as a client sees.
    for (
      let i = 0;
      i < 100 && (await api.call('GET', '/v1/admin/fanout', { token: ADMIN_TOKEN })).status !== 200;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Everything Redis held is gone: the relay puts the events back on the queue, reads rebuild mailboxes.
    const { status } = await api.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    for (const reader of [...fans, late]) {
      const pull = await api.call('GET', '/v1/me/timeline?strategy=pull', { token: reader.token });
      expect(ids(pull.body)).toEqual(expected);
      expect(ids(await readFromMailbox(api, reader.token))).toEqual(expected);
      const hybrid = await api.call('GET', '/v1/me/timeline?strategy=hybrid', { token: reader.token });
      expect(ids(hybrid.body)).toEqual(expected);
    }
    expect((await api.call('GET', '/health/ready')).status).toBe(200);
  });
});
