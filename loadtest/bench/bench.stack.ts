import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type Idle, type IdleOptions, type Service, startProduct, startService } from '#libs/contract';
import { drainProgress } from '../progress/progress.meter.js';
import type { BenchOptions } from './bench.options.js';
import { apiPorts } from './bench.scale.options.js';
import type { RedisTarget } from './redis.target.js';

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
  /** The admin client, on the first API process (every process publishes its metrics through Redis). */
  api: ApiClient;
  /** Every API process's base URL, comma-separated, as the driver takes them (it sends to them in turn). */
  baseUrl: string;
  /** The API and worker processes' pids: the bench reads their CPU time (process.cpu.ts). */
  apiPids: number[];
  workerPids: number[];
  stop: () => Promise<void>;
}

/**
 * The bench's own deployment: `--apis` API and `--workers` worker processes from dist/, on the bench's database and
 * prefix, and on `target`'s Redis (one, or a local cluster through REDIS_CLUSTER_NODES).
 */
export async function startBenchStack(o: BenchOptions, target: RedisTarget, logDir: string): Promise<BenchStack> {
  const adminToken = `bench-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: o.databaseUrl,
    ...target.env,
    REDIS_PREFIX: o.redisPrefix,
    REDIS_SHARDS: String(target.shards),
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    METRICS_PUBLISH_MS: String(PUBLISH_MS),
    ...BENCH_LIMITS,
    ...(o.fanoutConcurrency && { FANOUT_CONCURRENCY: String(o.fanoutConcurrency) }),
    ...(o.fanoutBatchSize && { FANOUT_BATCH_SIZE: String(o.fanoutBatchSize) }),
  };
  const { apis, workers } = o.scale;
  const ports = apiPorts(o.port, apis, o.ceilingPort);
  const name = (role: string, i: number) => join(logDir, `${role}${i === 0 ? '' : `-${i + 1}`}.log`);
  // Several Node processes booting at once on a shared 2-core machine take longer than the default 30 s.
  const options = (logFile: string) => ({ logFile, readyTimeoutMs: 90_000, nodeArgs: profiling(o) });
  const startApi = (port: number, i: number) =>
    startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, options(name('api', i)));
  const services: Service[] = [];
  const stop = async () => void (await Promise.all(services.map((s) => s.stop())));
  try {
    // The first API writes the key layout and applies the flags; the other processes then start together.
    services.push(await startApi(ports[0]!, 0));
    const rest = await Promise.allSettled([
      ...ports.slice(1).map((port, i) => startApi(port, i + 1)),
      ...Array.from({ length: workers }, (_, i) => startProduct('worker', env, options(name('worker', i)))),
    ]);
    for (const r of rest) if (r.status === 'fulfilled') services.push(r.value);
    const apiPids = services.slice(0, apis).map((service) => service.child.pid!);
    const workerPids = services.slice(apis).map((service) => service.child.pid!);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const baseUrls = ports.map((port) => `http://127.0.0.1:${port}`);
    const api = new ApiClient(baseUrls[0]!, adminToken);
    await waitForProcesses(api, apis, workers);
    return { api, baseUrl: baseUrls.join(','), apiPids, workerPids, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Node's options for a served process: a CPU profile written on exit under --cpu-profile, else none. */
function profiling(o: BenchOptions): string[] {
  return o.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfileDir}`] : [];
}

/** The stack is up for the bench once every process's measurements reach the API (each publishes every PUBLISH_MS). */
async function waitForProcesses(api: ApiClient, apis: number, workers: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const roles = (await api.metricsSnapshots()).map((s) => s.process.role);
    if (roles.filter((r) => r === 'worker').length >= workers && roles.filter((r) => r === 'api').length >= apis)
      return;
    await sleep(100);
  }
  throw new Error(`not every process published its metrics (${apis} API, ${workers} worker processes expected)`);
}

/**
 * The ceiling server (loadtest/ceiling) for the read ladder, on the bench's one Redis (it has no cluster client) and
 * the mailboxes' epoch.
 */
export function startCeiling(
  o: BenchOptions,
  shards: number,
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
      '--redis-shards',
      String(shards),
      '--port',
      String(o.ceilingPort),
      '--epoch',
      String(epoch),
    ],
    env: {},
    nodeArgs: profiling(o),
    ready: /ceiling listening/,
    logFile: join(logDir, 'ceiling.log'),
  });
}
