import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// No k6 binary here, so timeline.js runs under Node with the k6 modules it imports replaced by recording stubs
// (k6/http, k6/data, and the init-context globals open, __ENV, __VU, __ITER). This checks the script's own logic:
// init, options, request shapes and handleSummary. What k6 itself does with the options is k6's; see README.md.

const here = new URL('./', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'k6-timeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HARNESS = `
import { readFileSync } from 'node:fs';
const calls = [];
const shared = [];
globalThis.__ENV = JSON.parse(process.env.K6_ENV);
globalThis.__VU = 1;
globalThis.__ITER = 0;
globalThis.open = (path) => readFileSync(path, 'utf8');
globalThis.__k6http = {
  get: (url, params) => (calls.push({ method: 'GET', url, params }), { status: 200 }),
  post: (url, body, params) => (calls.push({ method: 'POST', url, body, params }), { status: 201 }),
  expectedStatuses: (range) => ({ range }),
  setResponseCallback: (cb) => calls.push({ method: 'CALLBACK', cb }),
};
globalThis.__k6data = { SharedArray: class { constructor(name, fn) { shared.push(name); return fn(); } } };
const script = await import(process.env.SCRIPT);
script.setup();
for (let i = 0; i < 2000; i++) { globalThis.__ITER = i; script.default(); }
const data = JSON.parse(process.env.K6_DATA);
const files = script.handleSummary(data);
console.log(JSON.stringify({ options: script.options, calls, shared, files: Object.keys(files), summary: JSON.parse(files[Object.keys(files).find((k) => k.endsWith('summary.json'))]) }));
`;

function prepare(): { script: string; harness: string } {
  const source = readFileSync(new URL('timeline.js', here), 'utf8')
    .replace(
      "from 'k6/data'",
      "from 'data:text/javascript,export const SharedArray = globalThis.__k6data.SharedArray;'",
    )
    .replace("from 'k6/http'", "from 'data:text/javascript,export default globalThis.__k6http;'")
    .replace("from './plan.js'", `from '${new URL('plan.js', here).href}'`)
    .replace("from './summary.js'", `from '${new URL('summary.js', here).href}'`);
  const script = join(dir, 'timeline.mjs');
  const harness = join(dir, 'harness.mjs');
  writeFileSync(script, source);
  writeFileSync(harness, HARNESS);
  return { script, harness };
}

async function runK6Script(env: Record<string, string>) {
  const { script, harness } = prepare();
  const data = {
    metrics: { 'http_req_failed{phase:measure}': { values: { rate: 0.001, passes: 2, fails: 1998 } } },
    state: { testRunDurationMs: 1000 },
  };
  const { stdout } = await promisify(execFile)(process.execPath, [harness], {
    env: {
      ...process.env,
      SCRIPT: pathToFileURL(script).href,
      K6_ENV: JSON.stringify(env),
      K6_DATA: JSON.stringify(data),
    },
    timeout: 20_000,
  });
  return JSON.parse(stdout) as {
    options: { scenarios: Record<string, { rate: number }>; thresholds: Record<string, string[]> };
    calls: {
      method: string;
      url: string;
      body?: string;
      params?: { headers: Record<string, string>; tags: Record<string, string> };
    }[];
    shared: string[];
    files: string[];
    summary: { tool: string; scenario: string; strategy: string; total: { count: number } };
  };
}

const path = (rel: string) => fileURLToPath(new URL(rel, here));

describe('k6 timeline.js under a stub k6 runtime', { timeout: 30_000 }, () => {
  it('reads the scenario and credentials, sends the mix with tags, and writes the summary', async () => {
    const out = await runK6Script({
      SCENARIO: path('../scenarios/celebrity-storm.json'),
      CREDENTIALS: path('../driver/fixtures/tiny-credentials.json'),
      BASE_URL: 'http://api:3000/',
      STRATEGY: 'push',
      RATES: '10,20',
      OUT_DIR: '/loadtest/out/storm-push/',
    });
    expect(Object.keys(out.options.scenarios)).toEqual(['warmup', 'step_1', 'step_2']);
    expect(out.options.thresholds['http_req_duration{phase:measure,endpoint:timeline}']).toEqual(['p(99)<100']);
    expect(out.shared.sort()).toEqual(['pool:celebrities', 'pool:celebrity-followers']);

    const [health, ...rest] = out.calls.filter((c) => c.method !== 'CALLBACK');
    expect(health.url).toBe('http://api:3000/health/live');
    expect(rest).toHaveLength(2000);
    const posts = rest.filter((c) => c.method === 'POST');
    const reads = rest.filter((c) => c.method === 'GET');
    // 1 post per 20 reads.
    expect(posts.length).toBeGreaterThan(50);
    expect(posts.length).toBeLessThan(150);
    for (const p of posts) {
      expect(p.url).toBe('http://api:3000/v1/posts');
      expect(['Bearer flt_test_1', 'Bearer flt_test_2']).toContain(p.params!.headers.Authorization);
      expect(p.params!.tags).toMatchObject({ endpoint: 'post', strategy: 'push' });
      const body = JSON.parse(p.body!).body as string;
      expect(body.length).toBeGreaterThan(0);
      expect(body.length).toBeLessThanOrEqual(280);
    }
    for (const r of reads) {
      expect(r.url).toBe('http://api:3000/v1/me/timeline?limit=20&strategy=push');
      expect(r.params!.tags).toMatchObject({ endpoint: 'timeline', strategy: 'push' });
      // celebrity-followers: users 2..5 (following > 0), never 1 or 6.
      expect(['Bearer flt_test_2', 'Bearer flt_test_3', 'Bearer flt_test_4', 'Bearer flt_test_5']).toContain(
        r.params!.headers.Authorization,
      );
    }
    expect(out.files.sort()).toEqual([
      '/loadtest/out/storm-push/summary.json',
      '/loadtest/out/storm-push/summary.txt',
      'stdout',
    ]);
    expect(out.summary).toMatchObject({
      tool: 'k6',
      scenario: 'celebrity-storm',
      strategy: 'push',
      total: { count: 2000 },
    });
  });

  it('stops at init with a readable message when a variable or the scenario is wrong', async () => {
    await expect(runK6Script({ SCENARIO: path('../scenarios/read.json') })).rejects.toThrow(
      /Set -e SCENARIO=.* and -e CREDENTIALS=/,
    );
    await expect(
      runK6Script({
        SCENARIO: path('../scenarios/read.json'),
        CREDENTIALS: path('../driver/fixtures/tiny-credentials.json'),
        RATES: '0',
      }),
    ).rejects.toThrow(/Invalid scenario .*\n.*rates/);
  });
});
