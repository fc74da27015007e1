import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, combine, freePort, SERIES, startProduct, type ProcessSnapshot, type Service } from '#libs/contract';
import { ADMIN_TOKEN } from './test-config.js';

// One deployment of several API and worker processes (one database, one Redis prefix), as issue 10 asks the product
// to run, and the ways a test tells apart what each process did: its own metrics snapshot (by pid) and its log.

export interface Deployment {
  apis: ApiClient[];
  workers: Service[];
  /** Each worker's whole output (service.output() keeps only the last 64 KB; the job lines of a run are more). */
  workerLogs: string[];
  stop(): Promise<void>;
}

export async function startDeployment(
  env: Record<string, string>,
  {
    apis: apiCount,
    workers: workerCount,
    workerEnv = {},
  }: { apis: number; workers: number; workerEnv?: Record<string, string> },
): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-deployment-'));
  const ports = await Promise.all(Array.from({ length: apiCount }, () => freePort()));
  const services: Service[] = [];
  // Five Node processes booting at once on a shared 2-core machine can take longer than the default 30 s.
  const options = { readyTimeoutMs: 90_000 };
  const startApi = (port: number) => startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, options);
  const workerLogs = Array.from({ length: workerCount }, (_, i) => join(dir, `worker-${i}.log`));
  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The first API writes the key layout and applies the environment's flags; the others then start together.
    services.push(await startApi(ports[0]!));
    const rest = await Promise.allSettled([
      ...ports.slice(1).map(startApi),
      ...workerLogs.map((logFile) => startProduct('worker', { ...env, ...workerEnv }, { ...options, logFile })),
    ]);
    for (const r of rest) if (r.status === 'fulfilled') services.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    apis: ports.map((port) => new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN)),
    workers: services.slice(apiCount),
    workerLogs,
    stop,
  };
}

/** What one process did, from its cumulative snapshot: post fan-outs planned, deliver batches run, mailbox writes. */
export interface Work {
  plans: number;
  batches: number;
  writes: number;
}

export function workOf(snapshot: ProcessSnapshot | undefined): Work {
  if (!snapshot) return { plans: 0, batches: 0, writes: 0 };
  const view = combine([snapshot]);
  const count = (name: string, detail: string) =>
    view.series.find((s) => s.name === name && s.labels.detail === detail)?.count ?? 0;
  return {
    plans: count(SERIES.stage('plan'), 'post.created'),
    batches: count(SERIES.stage('batch'), 'deliver'),
    // RPUSHX pushes, counted as the DELIVER script returns them: a second delivery of a post counts again, even
    // though the next settle drops the duplicate from the list.
    writes: view.counters.find((c) => c.name === SERIES.mailboxWrites && c.labels.detail === 'deliver')?.value ?? 0,
  };
}

export const minus = (a: Work, b: Work): Work => ({
  plans: a.plans - b.plans,
  batches: a.batches - b.batches,
  writes: a.writes - b.writes,
});

export const plus = (a: Work, b: Work): Work => ({
  plans: a.plans + b.plans,
  batches: a.batches + b.batches,
  writes: a.writes + b.writes,
});

/**
 * Each process's snapshot (by pid), once every one of `pids` has published one taken after `since` (epoch ms): work
 * finished before `since` is then in it. Processes publish every METRICS_PUBLISH_MS.
 */
export async function snapshotsAfter(
  api: ApiClient,
  pids: number[],
  since: number,
  timeoutMs = 10_000,
): Promise<Map<number, ProcessSnapshot>> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
    const byPid = new Map((await api.metricsSnapshots()).map((s) => [s.process.pid, s]));
    if (pids.every((pid) => Date.parse(byPid.get(pid)?.takenAt ?? '') > since)) return byPid;
    if (Date.now() > deadline) throw new Error(`no snapshot after ${new Date(since).toISOString()} from every worker`);
  }
}

export interface JobLine {
  job: string;
  jobId: string;
  attempt: number;
}

/** The `job done` lines a worker wrote (LOG_LEVEL=log, LOG_FORMAT=json): one per job run to its end. */
export function jobLines(logFile: string): JobLine[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"job done"'))
    .map((line) => JSON.parse(line) as JobLine);
}

/** Runs `fn` over `items`, `limit` at a time; the results in order. */
export async function inParallel<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Milliseconds until `check` holds, polled every 10 ms; gives up at 5 s, so a miss still reports how long it took. */
export async function msUntil(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check()) && performance.now() - started < 5000) await sleep(10);
  return performance.now() - started;
}
