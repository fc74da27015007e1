import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type Service } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// SIGTERM, as an orchestrator sends it on every deploy: the process finishes what it has in hand before it closes its
// connections, so no request in flight gets a 500 and no running job fails with "pool ended".

const env = envOf(testConfig(), { TIMELINE_STRATEGY: 'push', FANOUT_BATCH_SIZE: '10', FANOUT_CONCURRENCY: '4' });
const started: Service[] = [];

async function start(role: 'api' | 'worker', port?: number): Promise<Service> {
  const extra: Record<string, string> = port ? { PORT: String(port), HOST: '127.0.0.1' } : {};
  const service = await startProduct(role, { ...env, ...extra });
  started.push(service);
  return service;
}

afterAll(async () => Promise.all(started.map((s) => s.stop('SIGKILL'))));

const exitOf = (service: Service) =>
  new Promise<number | null>((resolve) =>
    service.child.exitCode !== null ? resolve(service.child.exitCode) : service.child.once('exit', resolve),
  );

describe('SIGTERM', () => {
  it('lets the API answer the requests in flight, refuse new ones cleanly, and exit 0', async () => {
    const port = await freePort();
    const api = await start('api', port);
    const client = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
    const reader = await client.createUser(uniqueHandle('reader'));
    const statuses: number[] = [];
    let refused = 0;
    let stopping = false;
    // Four clients reading back to back on keep-alive connections until the API is gone.
    const clients = [1, 2, 3, 4].map(async () => {
      for (;;) {
        try {
          const { status } = await client.call('GET', '/v1/me/timeline?strategy=pull', { token: reader.token });
          statuses.push(status);
        } catch {
          if (!stopping) throw new Error('the API refused a connection before it was told to stop');
          refused += 1;
          return;
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answeredBefore = statuses.length;
    stopping = true;
    const signalled = performance.now();
    api.child.kill('SIGTERM');
    const code = await exitOf(api);
    await Promise.all(clients);

    expect(code).toBe(0);
    expect(performance.now() - signalled).toBeLessThan(5000);
    expect(answeredBefore).toBeGreaterThan(20);
    expect(refused).toBe(4);
    // 200 for what was in hand; 503 (with Connection: close) for a request that came in on an open connection late.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(api.output()).not.toMatch(/"level":(50|60)|pool ended|Connection is closed/);
  });

  it('lets the worker finish its running jobs, and leaves the rest queued for the next one', async () => {
    const port = await freePort();
    await start('api', port);
    const client = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
    let worker = await start('worker');
    const author = await client.createUser(uniqueHandle('author'));
    const fans = [];
    for (let i = 0; i < 60; i++) {
      const fan = await client.createUser(uniqueHandle('fan'));
      await client.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
      fans.push(fan);
    }
    await client.waitIdle();

    // Six batches of ten followers per post: a backlog the worker is in the middle of when it is told to stop.
    const posted: string[] = [];
    for (let i = 0; i < 40; i++) posted.push((await client.post(author.token, `burst ${i}`)).id);
    worker.child.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    expect(worker.output()).not.toMatch(/"level":(50|60)|pool ended|Connection is closed|"msg":"job failed"/);

    worker = await start('worker');
    const { status } = await client.waitIdle({ timeoutMs: 60_000 });
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const expected = [...posted].reverse().slice(0, 20);
    for (const fan of fans.slice(0, 10)) {
      const page = await readFromMailbox(client, fan.token, 'strategy=push&limit=20');
      expect(page.items.map((p) => p.id)).toEqual(expected);
    }
  });
});
