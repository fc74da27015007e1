import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, type Service, startProduct } from '#libs/contract';
import { authorWithFans, freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The logs as an operator reads them: JSON lines (stdout is a pipe, not a TTY), one line per request with its id,
// the id of the request that wrote a post on every fan-out job it caused, and no secret anywhere.
const METRICS_TOKEN = 'metrics-token-for-the-logging-test';
const config = testConfig({ TIMELINE_STRATEGY: 'push' });
const env = envOf(config, {
  TIMELINE_STRATEGY: 'push',
  FANOUT_BATCH_SIZE: '10',
  LOG_LEVEL: 'log',
  METRICS_TOKEN,
});
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const api = new ApiClient(base, ADMIN_TOKEN);
const services: Service[] = [];
let apiProcess: Service;
let worker: Service;

type Line = Record<string, unknown>;
// Each process's whole output, in a file (a process keeps only the tail of it in memory).
const logDir = mkdtempSync(join(tmpdir(), 'fanout-logs-'));
const logOf = new Map<Service, string>();
const outputOf = (service: Service) => readFileSync(logOf.get(service)!, 'utf8');
const lines = (service: Service): Line[] =>
  outputOf(service)
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => {
      try {
        return JSON.parse(text) as Line;
      } catch {
        throw new Error(`not a JSON log line: ${text}`);
      }
    });

/** The line is written once the answer has gone out, so it may land a moment after the client has the answer. */
async function lineOf(service: Service, match: (line: Line) => boolean): Promise<Line | undefined> {
  for (let i = 0; i < 80; i++) {
    const found = lines(service).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

beforeAll(async () => {
  const apiLog = join(logDir, 'api.log');
  const workerLog = join(logDir, 'worker.log');
  apiProcess = await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, { logFile: apiLog });
  worker = await startProduct(
    'worker',
    { ...env, WORKER_METRICS_PORT: String(await freePort()) },
    { logFile: workerLog },
  );
  logOf.set(apiProcess, apiLog).set(worker, workerLog);
  services.push(apiProcess, worker);
});
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  rmSync(logDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('answer every request with its id: the caller’s when acceptable, a new one otherwise', async () => {
    const given = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'trace-0001.a' } });
    expect(given.headers.get('x-request-id')).toBe('trace-0001.a');
    const none = await fetch(`${base}/health/live`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Not taken as given: control characters or JSON (they would go into every line) and anything over 128 characters.
    for (const bad of ['{"level":60}', 'x'.repeat(129), 'a b']) {
      const answer = await fetch(`${base}/health/live`, { headers: { 'x-request-id': bad } });
      expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('carry a post request’s id into the jobs it causes, and write one line per request', async () => {
    const { author, fans } = await authorWithFans(api, 25);
    await api.waitIdle();

    const requestId = `post-${Date.now()}`;
    const posted = await fetch(`${base}/v1/posts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${author.token}`,
        'content-type': 'application/json',
        'x-request-id': requestId,
      },
      body: JSON.stringify({ body: 'traced' }),
    });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('x-request-id')).toBe(requestId);
    await api.waitIdle();
    const page = await api.call('GET', '/v1/me/timeline?limit=5', { token: fans[0]!.token });
    expect(page.body.items[0].body).toBe('traced');

    const request = await lineOf(apiProcess, (l) => l.msg === 'request' && l.requestId === requestId);
    expect(request).toMatchObject({
      method: 'POST',
      route: '/v1/posts',
      url: '/v1/posts',
      status: 201,
      userId: author.id,
      role: 'api',
    });
    expect(typeof request!.ms).toBe('number');
    const read = await lineOf(apiProcess, (l) => l.msg === 'request' && l.route === '/v1/me/timeline');
    expect(read).toMatchObject({ method: 'GET', status: 200, userId: fans[0]!.id });

    // The event's job and every batch it split into (25 followers, batches of 10) carry the request's id.
    // Lines reach the log within a second (the logger writes in blocks, and flushes every second).
    await lineOf(worker, (l) => l.msg === 'job done' && l.requestId === requestId && l.job === 'outbox-event');
    const jobs = lines(worker).filter((l) => l.msg === 'job done' && l.requestId === requestId);
    expect(jobs.map((l) => l.job)).toContain('outbox-event');
    expect(jobs.filter((l) => l.job === 'deliver-batch').length).toBeGreaterThanOrEqual(3);
  });

  it('never contain a token: users’, the admin’s, the metrics scraper’s, or a wrong one', async () => {
    const user = await api.createUser(uniqueHandle('secret'));
    const wrong = 'flt_this-token-was-never-issued-0123456789abcdef';
    await api.call('GET', '/v1/me/timeline', { token: user.token });
    await api.call('GET', '/v1/me/timeline', { token: wrong });
    await api.call('GET', '/v1/admin/config', { token: ADMIN_TOKEN });
    await api.call('GET', '/v1/admin/config', { token: wrong });
    await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    await fetch(`${base}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` },
    });
    // The last request's line is there, so every earlier one is too.
    expect(await lineOf(apiProcess, (l) => l.msg === 'request' && l.route === '/admin/queues')).toBeDefined();
    expect(await lineOf(apiProcess, (l) => l.msg === 'request' && l.userId === user.id)).toBeDefined();
    const output = outputOf(apiProcess) + outputOf(worker);
    for (const secret of [user.token, wrong, ADMIN_TOKEN, METRICS_TOKEN]) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/authorization/i);
  });
});
