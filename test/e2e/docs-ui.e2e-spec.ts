import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type Service } from '#libs/contract';
import { API_ROUTES } from '../../apps/api/src/api.routes.js';
import { ApiBrowser, type WatchedPage } from '../support/browser.js';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// /docs as a person sees it: Swagger UI in a real browser (Debian's Chromium, driven by playwright-core), against the
// real API process. The page must render every operation, load nothing from outside this machine, break none of its
// own Content-Security-Policy, and "Try it out" must reach the API and show the answer.

const WAIT_MS = 30_000;

let api: Service;
let base: string;
let browser: ApiBrowser;

beforeAll(async () => {
  const port = await freePort();
  api = await startProduct('api', { ...envOf(testConfig()), PORT: String(port), HOST: '127.0.0.1' });
  base = `http://127.0.0.1:${port}`;
  browser = new ApiBrowser(base);
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

/** /docs in a watched page (test/support/browser.ts), once Swagger UI has drawn its operations. */
async function openDocs(): Promise<WatchedPage> {
  const watched = await browser.open();
  const { page } = watched;
  await page.goto(`${base}/docs`);
  await page.locator('.opblock').first().waitFor({ timeout: WAIT_MS });
  return watched;
}

/** Expands an operation, presses "Try it out", lets `fill` set its inputs, presses Execute; the live answer's box. */
async function tryItOut(
  page: Page,
  operationId: string,
  tag: string,
  fill?: (op: ReturnType<Page['locator']>) => Promise<void>,
) {
  const op = page.locator(`#operations-${tag}-${operationId}`);
  await op.locator('.opblock-summary').first().click();
  await op.locator('button.try-out__btn').click();
  await fill?.(op);
  await op.locator('button.execute').click();
  const answer = op.locator('.live-responses-table .response').first();
  await answer.waitFor({ timeout: WAIT_MS });
  return answer;
}

describe('the /docs page in Chromium', () => {
  it('renders every operation from npm assets only, without a CSP violation, and "Try it out" works', async () => {
    const { page, context, outside, problems } = await openDocs();
    try {
      await expect.poll(() => page.locator('.opblock').count(), { timeout: WAIT_MS }).toBe(API_ROUTES.length);
      for (const path of ['/v1/me/timeline', '/v1/users/{id}', '/health/live', '/docs/openapi.json']) {
        await expect(
          page.locator(`.opblock-summary-path[data-path="${path}"]`).first().isVisible(),
          path,
        ).resolves.toBe(true);
      }

      const live = await tryItOut(page, 'getHealthLive', 'health');
      await expect(live.locator('.response-col_status').innerText()).resolves.toMatch(/^200/);
      await expect(live.locator('.response-col_description').innerText()).resolves.toContain('"status": "ok"');

      // A public call with a path parameter: the relative server URL and the parameter reach the API.
      const user = await new ApiClient(base, ADMIN_TOKEN).createUser(uniqueHandle('docs'));
      const profile = await tryItOut(page, 'getV1UsersId', 'users', async (op) => {
        await op.locator('tr[data-param-name="id"] input').fill(user.id);
      });
      await expect(profile.locator('.response-col_status').innerText()).resolves.toMatch(/^200/);
      await expect(profile.locator('.response-col_description').innerText()).resolves.toContain(user.handle);

      expect(outside, 'requests that left the loopback').toEqual([]);
      expect(problems, 'CSP violations and errors in the page').toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('is the only answer with a policy wider than the API: JSON answers still allow nothing', async () => {
    const docs = (await fetch(`${base}/docs`)).headers.get('content-security-policy') ?? '';
    expect(docs).toContain("script-src 'self'");
    expect(docs).toContain("frame-ancestors 'none'");
    expect(docs).not.toMatch(/https?:|\*|unsafe/);
    for (const path of ['/docs/openapi.json', '/health/live', '/v1/nowhere']) {
      const csp = (await fetch(base + path)).headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).not.toContain('script-src');
    }
  });
});
