import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis, type Service, startProduct } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { envOf, testConfig } from '../support/test-config.js';

// The worker's small HTTP port (WORKER_METRICS_PORT), as compose's health check and an orchestrator use it: liveness,
// readiness with a bounded check per dependency (the queue's own connection included), and the metrics scrape. Its
// Redis is this test's own, so it can be frozen (SIGSTOP: connected, and silent) without touching anyone else's.
const CHECK_TIMEOUT_MS = 300;
let redis: PrivateRedis;
let worker: Service;
let base: string;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = testConfig({ REDIS_URL: redis.url });
  worker = await startProduct(
    'worker',
    envOf(config, { WORKER_METRICS_PORT: String(port), HEALTH_CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS) }),
  );
});
afterAll(async () => {
  redis?.thaw();
  await worker?.stop();
  await redis?.stop();
});

const get = async (path: string, method = 'GET') => {
  const started = performance.now();
  const answer = await fetch(base + path, { method });
  const body = (await answer.json().catch(() => null)) as { code?: string; message?: string } | null;
  return { status: answer.status, body, ms: performance.now() - started };
};

describe('the worker’s health endpoints', () => {
  it('are live and ready when PostgreSQL, Redis and the queue answer; metrics are served beside them', async () => {
    expect(await get('/health/live')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await get('/health/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', postgres: 'ok', redis: 'ok', queue: 'ok' },
    });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('fanout_');
    expect(await get('/nowhere')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await get('/health/ready', 'POST')).toMatchObject({ status: 405, body: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('answers not ready, within the check timeout, while Redis does not answer; live all along; ready again after', async () => {
    redis.freeze();
    try {
      const ready = await get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'UNAVAILABLE' });
      expect(ready.body?.message).toMatch(/redis timed out/);
      expect(ready.body?.message).toMatch(/queue timed out/);
      expect(ready.body?.message).toMatch(/postgres ok/);
      expect(ready.ms).toBeLessThan(CHECK_TIMEOUT_MS + 700);
      expect(await get('/health/live')).toMatchObject({ status: 200 });
    } finally {
      redis.thaw();
    }
    let again = await get('/health/ready');
    for (let i = 0; i < 40 && again.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await get('/health/ready');
    }
    expect(again).toMatchObject({ status: 200, body: { queue: 'ok' } });
  });
});
