import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, type Service, startProduct } from '#libs/contract';
import { authorWithFans, freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig } from '../support/test-config.js';

// A worker that starts with jobs already queued (after a deploy or a crash) must take none before its providers are
// ready: once, the first jobs after a restart failed with "Cannot read properties of undefined (reading 'flags')".
const config = testConfig({ TIMELINE_STRATEGY: 'push' });
const env = envOf(config, { TIMELINE_STRATEGY: 'push', FANOUT_BATCH_SIZE: '10', LOG_LEVEL: 'warn' });
const port = await freePort();
const api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
const services: Service[] = [];

afterAll(async () => Promise.all(services.map((s) => s.stop())));

describe('a worker started over a full queue', () => {
  it('takes its first jobs only once ready: none fails, and every post is delivered', async () => {
    services.push(await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }));
    const { author, fans } = await authorWithFans(api, 25);
    for (let i = 0; i < 10; i++) await api.call('POST', '/v1/posts', { token: author.token, body: { body: `q${i}` } });
    const queued = (await api.call('GET', '/v1/admin/fanout', { token: ADMIN_TOKEN })).body;
    expect(queued.pending).toBeGreaterThan(0);

    const worker = await startProduct('worker', env);
    services.push(worker);
    const { status } = await api.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(worker.output()).not.toMatch(/"msg":"job failed"/);
    const page = (await api.call('GET', '/v1/me/timeline?limit=20', { token: fans[0]!.token })).body;
    expect(page.items).toHaveLength(10);
  });
});
