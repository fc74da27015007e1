import { resolve } from 'node:path';
import { STRATEGIES, type Strategy } from '#libs/contract';
import { defaultGraphParams, graphParamsProblems, type GraphParams } from '../graph/graph.params.js';
import { parseRates } from '../driver/scenario.model.js';
import { BenchUsageError, intOf, numOf, type Raw } from './bench.parse.js';
import { apiPorts, parseScaleOptions, SCALE_USAGE, type ScaleOptions } from './bench.scale.options.js';

export { BenchUsageError } from './bench.parse.js';

export const SCENARIOS = ['read', 'write', 'mixed', 'celebrity-storm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Strategies run in this order whatever order they were given in: leaving pull invalidates every mailbox. */
export const STRATEGY_ORDER: readonly Strategy[] = ['hybrid', 'push', 'pull'];

export interface BenchOptions {
  graph: GraphParams;
  scenarios: ScenarioName[];
  strategies: Strategy[];
  /** Ladder per scenario; absent = the scenario file's. */
  rates: Partial<Record<ScenarioName, number[]>>;
  stepSeconds?: number;
  warmupSeconds?: number;
  out: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  ceilingPort: number;
  /** Measure the bare node:http + ioredis ceiling on the read ladder. */
  ceiling: boolean;
  /** Mailbox writes of the fan-out backlog to drain (0: skip the throughput measurement). */
  backlogWrites: number;
  /** Users whose timelines are compared across strategies after each run. */
  checkUsers: number;
  /** Keep the graph already in the database when it has as many users. */
  reuseGraph: boolean;
  /** Drop the database, the Redis keys under the prefix and the credentials file at the end. */
  cleanup: boolean;
  fanoutConcurrency?: number;
  /** FANOUT_BATCH_SIZE of the bench's deployment (the product's default when unset). */
  fanoutBatchSize?: number;
  /** A lower celebrity threshold the hybrid read scenario is run again under (more authors in pull mode). */
  celebrityVariant?: number;
  /** Where Redis runs (one, a local cluster, or both in turn) and how many API and worker processes. */
  scale: ScaleOptions;
  /** A directory where the API, worker and ceiling processes write V8 CPU profiles (`node --cpu-prof`). */
  cpuProfileDir?: string;
}

export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/fanout_lab_bench';

export const USAGE = `npm run bench -- [options]      (node dist/loadtest/bench/bench.cli.js [options])

Seeds (or reuses) a synthetic graph, starts its own API and worker (or several, on one Redis or a cluster), runs every scenario under every strategy through
its ladder, and writes report.md, report.html and summary.json.

  --users N --seed N --mean-follows N --zipf S --posts-per-user N --celebrity-threshold N
                          the graph (10000, 1, 50, 1.0, 20, 1000); see loadtest/graph
  --scenarios a,b         ${SCENARIOS.join(',')} (all)
  --strategies a,b        push,hybrid,pull (all; run in the order hybrid, push, pull)
  --rates LADDER          one ladder for every scenario ("1000,2000"), or per scenario
                          ("read=1000,2000,4000;write=100,200"); default: each scenario file's
  --step-seconds N        seconds per ladder step (the files': 30)
  --warmup-seconds N      warm-up before each ladder (the files': 10)
  --backlog-writes N      fan-out throughput: mailbox writes in the drained backlog (1000000; 0 skips)
  --no-ceiling            skip the bare node:http + ioredis ceiling run
  --check-users N         timelines compared across strategies after each run (200)
  --reuse-graph           keep the graph in the database if it has --users users (reseeding takes seconds)
  --cleanup, --no-cleanup at the end (also after a failure or Ctrl-C), drop the bench's database and its Redis keys
                          (under --redis-prefix) and delete its credentials file, or keep them all. Default: clean
                          up, unless --reuse-graph is given (keeping a graph for the next run is what it is for)
  --fanout-concurrency N  the worker's FANOUT_CONCURRENCY (its default: 32)
  --fanout-batch-size N   FANOUT_BATCH_SIZE, followers per fan-out batch job (the product's default)
  --celebrity-variant N   after hybrid's runs, the read scenario again with celebrity threshold N (lower than
                          --celebrity-threshold; 120 gives the 10,000-user graph 10x the celebrities)
  --out DIR               where the report goes (loadtest/out/bench)
  --database-url URL      a database the bench may wipe and drop ($BENCH_DATABASE_URL, else
                          ${DEFAULT_DATABASE_URL})
  --redis-url URL         ($REDIS_URL, else redis://127.0.0.1:6379); only keys under --redis-prefix are wiped
  --redis-prefix P        key prefix of the bench's deployment, wiped at start (bench); redis-benchmark's scratch
                          keys go under P-zadd, in the same Redis database, and are removed after it ran
  --port N                the bench's API port (3100); the ceiling uses --ceiling-port (3199)
  --cpu-profile DIR       the API, worker and ceiling processes run under node --cpu-prof and write their
                          profiles (.cpuprofile, one per process, named by pid) to DIR when they stop
${SCALE_USAGE}`;

function listOf<T extends string>(raw: Raw, name: string, known: readonly T[]): T[] | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const items = String(v)
    .split(',')
    .map((s) => s.trim());
  const unknown = items.filter((s) => !(known as readonly string[]).includes(s));
  if (unknown.length || items.length === 0) {
    throw new BenchUsageError(`--${name}: unknown ${unknown.join(', ') || '(empty)'}; known: ${known.join(', ')}`);
  }
  return [...new Set(items)] as T[];
}

/** "1000,2000" for all scenarios, or "read=1000,2000;write=100,200". */
export function parseLadders(
  text: string,
  scenarios: readonly ScenarioName[],
): Partial<Record<ScenarioName, number[]>> {
  const ladder = (s: string, where: string) => {
    const rates = parseRates(s);
    if (rates.some((r) => !Number.isInteger(r) || r < 1)) {
      throw new BenchUsageError(`--rates ${where}: arrivals per second must be whole numbers >= 1, got "${s}"`);
    }
    return rates;
  };
  if (!text.includes('=')) {
    const rates = ladder(text, 'ladder');
    return Object.fromEntries(scenarios.map((s) => [s, rates]));
  }
  const out: Partial<Record<ScenarioName, number[]>> = {};
  for (const part of text.split(';').filter((p) => p.trim() !== '')) {
    const [name, rates] = part.split('=');
    const scenario = name!.trim() as ScenarioName;
    if (!SCENARIOS.includes(scenario)) {
      throw new BenchUsageError(`--rates: unknown scenario "${scenario}"; known: ${SCENARIOS.join(', ')}`);
    }
    out[scenario] = ladder(rates ?? '', scenario);
  }
  return out;
}

/**
 * `redis://host/?db=7` as `redis://host/7`: ioredis (the bench's own connections, redis-benchmark's --dbnum) reads
 * either, but the product's queue connection reads the database from the path only, and would put its keys in
 * database 0 while everything else went to 7.
 */
export function databaseInPath(redisUrl: string): string {
  const url = new URL(redisUrl);
  const db = url.searchParams.get('db');
  if (db === null || url.pathname.length > 1) return redisUrl;
  url.searchParams.delete('db');
  url.pathname = `/${db}`;
  return url.toString();
}

/**
 * Cleaning up is the default: a run leaves a database of hundreds of megabytes and Redis keys of as many (13.6 KB per
 * user) on what is usually a developer's own PostgreSQL and Redis, and the report keeps every figure. A run with
 * --reuse-graph keeps them unless told otherwise, since keeping the graph between runs is what that option is for.
 */
function cleanupOf(raw: Raw): boolean {
  if (raw.cleanup === true && raw['no-cleanup'] === true) {
    throw new BenchUsageError('--cleanup and --no-cleanup contradict each other: give one');
  }
  if (raw.cleanup === true || raw['no-cleanup'] === true) return raw.cleanup === true;
  return raw['reuse-graph'] !== true;
}

export function parseBenchOptions(raw: Raw, env: Record<string, string | undefined> = {}): BenchOptions {
  const defaults = defaultGraphParams();
  const graph: GraphParams = {
    ...defaults,
    seed: intOf(raw, 'seed', 0, 0xffff_ffff) ?? defaults.seed,
    users: intOf(raw, 'users', 2, 10_000_000) ?? defaults.users,
    meanFollows: numOf(raw, 'mean-follows') ?? defaults.meanFollows,
    zipfExponent: numOf(raw, 'zipf') ?? defaults.zipfExponent,
    postsPerUser: numOf(raw, 'posts-per-user') ?? defaults.postsPerUser,
    celebrityThreshold: intOf(raw, 'celebrity-threshold', 1) ?? defaults.celebrityThreshold,
  };
  const problems = graphParamsProblems(graph);
  if (problems.length) throw new BenchUsageError(`graph: ${problems.join('; ')}`);
  const scenarios = listOf(raw, 'scenarios', SCENARIOS) ?? [...SCENARIOS];
  const given = listOf(raw, 'strategies', STRATEGIES) ?? [...STRATEGIES];
  const rates = raw.rates === undefined ? {} : parseLadders(String(raw.rates), scenarios);
  const url = (name: string, fallback: string) => {
    const v = String(raw[name] ?? fallback);
    try {
      new URL(v);
    } catch {
      throw new BenchUsageError(`--${name} is not a URL: ${v}`);
    }
    return v;
  };
  const prefix = String(raw['redis-prefix'] ?? 'bench');
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(prefix)) throw new BenchUsageError('--redis-prefix: letters, digits, "_" or "-"');
  const celebrityVariant = intOf(raw, 'celebrity-variant', 1, graph.celebrityThreshold - 1);
  if (celebrityVariant !== undefined && !(scenarios.includes('read') && given.includes('hybrid'))) {
    throw new BenchUsageError('--celebrity-variant repeats the read scenario under hybrid: run both');
  }
  const port = intOf(raw, 'port', 1, 65535) ?? 3100;
  const ceilingPort = intOf(raw, 'ceiling-port', 1, 65535) ?? 3199;
  const scale = parseScaleOptions(raw);
  apiPorts(port, scale.apis, ceilingPort);
  return {
    graph,
    scenarios,
    strategies: STRATEGY_ORDER.filter((s) => given.includes(s)),
    rates,
    stepSeconds: intOf(raw, 'step-seconds', 1, 3600),
    warmupSeconds: intOf(raw, 'warmup-seconds', 0, 3600),
    out: String(raw.out ?? 'loadtest/out/bench'),
    databaseUrl: url('database-url', env.BENCH_DATABASE_URL ?? DEFAULT_DATABASE_URL),
    redisUrl: databaseInPath(url('redis-url', env.REDIS_URL ?? 'redis://127.0.0.1:6379')),
    redisPrefix: prefix,
    port,
    ceilingPort,
    ceiling: raw['no-ceiling'] !== true,
    backlogWrites: intOf(raw, 'backlog-writes', 0) ?? 1_000_000,
    checkUsers: intOf(raw, 'check-users', 0, 100_000) ?? 200,
    reuseGraph: raw['reuse-graph'] === true,
    cleanup: cleanupOf(raw),
    fanoutConcurrency: intOf(raw, 'fanout-concurrency', 1, 256),
    fanoutBatchSize: intOf(raw, 'fanout-batch-size', 10, 100_000),
    celebrityVariant,
    scale,
    // Absolute: the processes run from the project root, the bench from wherever it was started.
    ...(raw['cpu-profile'] !== undefined && { cpuProfileDir: resolve(String(raw['cpu-profile'])) }),
  };
}
