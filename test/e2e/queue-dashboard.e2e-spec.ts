import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type Service } from '#libs/contract';
import { ApiBrowser } from '../support/browser.js';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The fan-out queue's dashboard (bull-board at /admin/queues) as an operator opens it: only with the admin token, in a
// real browser (Debian's Chromium through playwright-core), showing the queue and its jobs, with nothing loaded from
// another host and nothing its Content-Security-Policy has to refuse.
let api: Service;
let base: string;
let browser: ApiBrowser;

beforeAll(async () => {
  const port = await freePort();
  // No worker: the jobs a post queues stay waiting, so the dashboard has something to show.
  api = await startProduct('api', { ...envOf(testConfig()), PORT: String(port), HOST: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
  browser = new ApiBrowser(base);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const basic = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

describe('the queue dashboard', () => {
  it('asks for the admin token (Basic, for a browser, or Bearer) and refuses anything else', async () => {
    const none = await fetch(`${base}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await none.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    for (const authorization of [basic('not-the-admin-token'), 'Bearer not-the-admin-token', basic('')]) {
      expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization } })).status).toBe(401);
    }
    const user = await new ApiClient(base).createUser(uniqueHandle('nosy'));
    const asUser = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(asUser.status).toBe(401);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: basic(ADMIN_TOKEN) } })).status).toBe(200);
    const queues = await fetch(`${base}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(queues.status).toBe(200);
    expect(((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)).toEqual(['fanout']);
  });

  it('is read-only: a job cannot be removed or the queue emptied from it', async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    for (const [method, path] of [
      ['PUT', 'empty'],
      ['PUT', 'pause'],
      ['PUT', 'clean/waiting'],
      ['PUT', 'obliterate'],
    ] as const) {
      const refused = await fetch(`${base}/admin/queues/api/queues/fanout/${path}`, { method, headers });
      expect(refused.status).toBe(405);
      expect(await refused.text()).toContain('QUEUE_READ_ONLY');
    }
  });

  it('renders the queue and its waiting jobs in Chromium, loading nothing from elsewhere', async () => {
    const author = await new ApiClient(base).createUser(uniqueHandle('queued'));
    await new ApiClient(base).post(author.token, 'waiting for a worker');
    const { page, outside, problems } = await browser.open({
      httpCredentials: { username: 'admin', password: ADMIN_TOKEN },
    });
    await page.goto(`${base}/admin/queues/queue/fanout?status=waiting`);
    await page.getByText('fanout-lab queue').first().waitFor({ timeout: 30_000 });
    // The waiting job the post queued, listed by its name.
    await page.getByText('outbox-event').first().waitFor({ timeout: 30_000 });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});
