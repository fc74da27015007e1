import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, migrateDatabase } from '#libs/contract';
import { PrivatePostgres } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { pageIds, readFromMailbox, timed } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The API and a worker on a PostgreSQL of this test's own, frozen (SIGSTOP: connections open, nothing answers) and
// then stopped while they serve. Requests that need it answer 503 within their budget, never a hang or a 500; reads
// that need only Redis go on; once it is back, nothing is lost or doubled and every timeline equals pull's.

const BUDGET_MS = 3500;

let postgres: PrivatePostgres;
let stack: Awaited<ReturnType<typeof startStack>>;
let api: ApiClient;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  const databaseUrl = postgres.url('fanout_lab_fault');
  await migrateDatabase(databaseUrl);
  const config = testConfig({ DATABASE_URL: databaseUrl });
  const port = await freePort();
  const env = envOf(config, {
    TIMELINE_STRATEGY: 'push',
    DB_CONNECT_TIMEOUT_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '1000',
    HEALTH_CHECK_TIMEOUT_MS: '500',
  });
  stack = await startStack(env, port);
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await postgres?.remove();
});

const ids = pageIds;

/** POST /v1/posts with an Idempotency-Key (the API client sends none). */
async function postWithKey(token: string, body: string, key: string) {
  const response = await fetch(`${api.baseUrl}/v1/posts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ body }),
  });
  return { status: response.status, body: (await response.json()) as { id: string; body: string; code?: string } };
}

describe('PostgreSQL frozen, then stopped', () => {
  it('answers 503 within its budget, keeps serving mailboxes, and loses or doubles nothing', async () => {
    const author = await api.createUser(uniqueHandle('author'));
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    const accepted = [(await api.post(author.token, 'before')).id];
    await api.waitIdle();
    // The fan's mailbox is built and serves: the API knows the fan's token, and the post is cached.
    expect(ids(await readFromMailbox(api, fan.token))).toEqual(accepted);

    for (const fault of ['freeze', 'stop'] as const) {
      if (fault === 'freeze') await postgres.freeze();
      else await postgres.stop();

      // A careful client sends an Idempotency-Key: the statement may commit once the server answers again, and the
      // retry below must then get that post, not a second one.
      const write = () => postWithKey(author.token, `during ${fault}`, `key-${fault}-${author.id}`);
      const posted = await timed(write);
      expect(posted.result.status).toBe(503);
      expect(posted.result.body.code).toBe('UNAVAILABLE');
      expect(posted.ms).toBeLessThan(BUDGET_MS);

      const pull = await timed(() => api.call('GET', '/v1/me/timeline?strategy=pull', { token: fan.token }));
      expect(pull.result.status).toBe(503);
      expect(pull.ms).toBeLessThan(BUDGET_MS);

      // The mailbox, the post cache and the token cache need no PostgreSQL.
      const push = await timed(() => api.call('GET', '/v1/me/timeline?strategy=push', { token: fan.token }));
      expect(push.result.status).toBe(200);
      expect(ids(push.result.body)).toEqual([...accepted].reverse());

      const ready = await timed(() => api.call('GET', '/health/ready'));
      expect(ready.result.status).toBe(503);
      expect(ready.result.body.message).toMatch(/^not ready: postgres (timed out|unavailable); redis ok$/);
      expect(ready.ms).toBeLessThan(BUDGET_MS);

      if (fault === 'freeze') await postgres.thaw();
      else await postgres.restart();

      // Back: the pool reconnects by itself, and the retry is answered.
      let retried = await write();
      for (let i = 0; i < 20 && retried.status === 503; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        retried = await write();
      }
      expect(retried.status).toBe(201);
      expect(retried.body.body).toBe(`during ${fault}`);
      accepted.push(retried.body.id);
      expect((await write()).body.id).toBe(retried.body.id);
      await api.waitIdle({ timeoutMs: 60_000 });
      // Read once more, as readers do: the page's posts are cached for the next fault.
      expect(ids(await readFromMailbox(api, fan.token))).toEqual([...accepted].reverse());
    }

    const { status } = await api.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(status.byType['post.created']).toMatchObject({ accepted: accepted.length, delivered: accepted.length });
    for (const strategy of ['pull', 'push', 'hybrid']) {
      const page = (await api.call('GET', `/v1/me/timeline?strategy=${strategy}`, { token: fan.token })).body;
      expect(ids(page)).toEqual([...accepted].reverse());
    }
  });
});
