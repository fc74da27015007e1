import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type Idle, type IdleOptions, type Service, startProduct, startService } from '#libs/contract';
import { drainProgress } from '../progress/progress.meter.js';
import type { BenchOptions } from './bench.options.js';

export const PUBLISH_MS = 1000;

/**
 * The driver is one client address sending thousands of requests a second, a few at once for the same user: the
 * API's per-client limits (README, "Limits") would measure themselves, so the bench lifts them, and says so.
 */
export const BENCH_LIMITS = {
  RATE_LIMIT_PER_TOKEN: '10000000',
  RATE_LIMIT_PER_ADDRESS: '10000000',
  AUTH_FAILURES_PER_ADDRESS: '10000000',
  PULL_READS_PER_USER: '10000',
};

/** How the bench waits for the fan-out to drain: a 10k-user rebuild or a backlog takes minutes, not the default 60 s. */
export const DRAIN: IdleOptions = { timeoutMs: 30 * 60_000, pollMs: 200 };

/** Waits for the fan-out queue to drain (up to DRAIN's timeout), saying every few seconds how far it has got. */
export function drain(api: ApiClient, what: string, log: (line: string) => void, pollMs = DRAIN.pollMs): Promise<Idle> {
  return api.waitIdle({ ...DRAIN, pollMs, onPoll: drainProgress(`  ${what}`, log) });
}

export interface BenchStack {
  api: ApiClient;
  baseUrl: string;
  stop: () => Promise<void>;
}

/** The bench's own deployment: one API and one worker process from dist/, on the bench's database and prefix. */
export async function startBenchStack(o: BenchOptions, logDir: string): Promise<BenchStack> {
  const adminToken = `bench-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.redisPrefix,
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    METRICS_PUBLISH_MS: String(PUBLISH_MS),
    ...BENCH_LIMITS,
    ...(o.fanoutConcurrency && { FANOUT_CONCURRENCY: String(o.fanoutConcurrency) }),
    ...(o.fanoutBatchSize && { FANOUT_BATCH_SIZE: String(o.fanoutBatchSize) }),
  };
  const services: Service[] = [];
  const stop = async () => void (await Promise.all(services.map((s) => s.stop())));
  try {
    services.push(
      await startProduct(
        'api',
        { ...env, PORT: String(o.port), HOST: '127.0.0.1' },
        { logFile: join(logDir, 'api.log') },
      ),
    );
    services.push(await startProduct('worker', env, { logFile: join(logDir, 'worker.log') }));
    const baseUrl = `http://127.0.0.1:${o.port}`;
    const api = new ApiClient(baseUrl, adminToken);
    await waitForWorker(api);
    return { api, baseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The worker is up for the bench once its measurements reach the API (it publishes every PUBLISH_MS). */
async function waitForWorker(api: ApiClient): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await api.metricsSnapshots()).some((s) => s.process.role === 'worker')) return;
    await sleep(100);
  }
  throw new Error('the worker never published its metrics');
}

/** The ceiling server (loadtest/ceiling) for the read ladder, on the bench's Redis and the mailboxes' epoch. */
export function startCeiling(
  o: BenchOptions,
  credentialsFile: string,
  epoch: number,
  logDir: string,
): Promise<Service> {
  return startService({
    name: 'ceiling',
    script: 'dist/loadtest/ceiling/ceiling.server.js',
    args: [
      '--credentials',
      credentialsFile,
      '--redis-url',
      o.redisUrl,
      '--redis-prefix',
      o.redisPrefix,
      '--port',
      String(o.ceilingPort),
      '--epoch',
      String(epoch),
    ],
    env: {},
    ready: /ceiling listening/,
    logFile: join(logDir, 'ceiling.log'),
  });
}
