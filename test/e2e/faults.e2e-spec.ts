import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, deletePrefix, type Service, startProduct } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

const config = testConfig({ TIMELINE_STRATEGY: 'push' });
const env = envOf(config, { TIMELINE_STRATEGY: 'push', FANOUT_BATCH_SIZE: '10', FANOUT_CONCURRENCY: '2' });
const port = await freePort();
const api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
let stack: Awaited<ReturnType<typeof startStack>>;
let worker: Service;

beforeAll(async () => {
  stack = await startStack(env, port);
  worker = stack.worker;
});
afterAll(async () => Promise.all([stack?.api.stop(), worker?.stop()]));

async function timelines(users: { token: string }[], strategy: string) {
  return Promise.all(
    users.map(
      async (u) => (await api.call('GET', `/v1/me/timeline?limit=100&strategy=${strategy}`, { token: u.token })).body,
    ),
  );
}

describe('no post is lost', () => {
  it('when the worker is killed mid-fan-out and every Redis key of the deployment is wiped', async () => {
    const author = await api.createUser(uniqueHandle('author'));
    const fans = [];
    for (let i = 0; i < 40; i++) {
      const fan = await api.createUser(uniqueHandle('fan'));
      await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
      fans.push(fan);
    }
    await api.waitIdle();

    const posted: string[] = [];
    for (let i = 0; i < 30; i++) {
      posted.push((await api.call('POST', '/v1/posts', { token: author.token, body: { body: `burst ${i}` } })).body.id);
      if (i === 10) await worker.stop('SIGKILL');
    }
    // Mailboxes, post cache and the BullMQ queue itself are gone; PostgreSQL and its outbox are not.
    await deletePrefix(config.redisUrl, config.redisPrefix);
    const pendingBefore = (await api.call('GET', '/v1/admin/fanout', { token: ADMIN_TOKEN })).body.pending;
    expect(pendingBefore).toBeGreaterThan(0);

    worker = await startProduct('worker', env);
    await timelines(fans, 'push'); // mailboxes that vanished are rebuilt on first read
    const { status } = await api.waitIdle({ timeoutMs: 90_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0, ok: true });

    const expected = [...posted].reverse();
    for (const strategy of ['push', 'hybrid', 'pull']) {
      for (const page of await timelines(fans, strategy)) {
        expect(page.items.map((p: { id: string }) => p.id)).toEqual(expected);
        if (strategy !== 'pull') expect(page.source).toBe('mailbox');
      }
    }
  });
});
