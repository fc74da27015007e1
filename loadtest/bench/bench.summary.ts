import type { CounterSeries, SeriesView, Strategy } from '#libs/contract';
import type { RunSummary, StepSummary } from '../driver/summary.js';
import type { FollowerSummary } from '../graph/graph.report.js';
import type { GraphParams } from '../graph/graph.params.js';
import type { BenchOptions } from './bench.options.js';
import type { Scaling } from './bench.scaling.js';
import type { RedisMemory } from './redis.admin.js';
import type { MasterShare, RedisCost } from './redis.cost.js';

export const BENCH_FORMAT = 'fanout-lab.bench/1';

export interface ServerView {
  series: SeriesView[];
  counters: CounterSeries[];
}

export interface InvariantResult {
  /** Users whose first timeline page was read under every strategy. */
  users: number;
  /** Users whose pages differed from pull's. */
  mismatches: number;
  /** Where the pages came from, `<strategy>/<source>`: a mailbox bypassed for the database proves nothing. */
  sources: Record<string, number>;
  examples: string[];
}

export interface Capacity {
  /** Highest offered rate whose step met the limits; null when none did. */
  rate: number | null;
  p99LimitMs: number;
  /** Why the next step up failed, or that the ladder never failed. */
  limitedBy: string;
  /**
   * Throughput alone: the highest offered rate up to which every step kept under 1 % dropped or failed, whatever its
   * latency. On a machine whose tail latency has a floor near the limit, this is what still tells strategies apart.
   */
  sustained: number | null;
}

export interface BenchRun {
  scenario: string;
  strategy: Strategy;
  /** `api` is the product; `ceiling` the bare node:http + ioredis server doing the push read's Redis work. */
  target: 'api' | 'ceiling';
  client: RunSummary;
  /** Server-side histograms over the whole run (every API and worker process, added). */
  server: ServerView | null;
  /** Server-side request histograms per ladder step. */
  serverSteps: { step: number; series: SeriesView[] }[];
  /** Seconds from the end of the ladder until the fan-out queue was idle. */
  drainSeconds: number | null;
  invariant: InvariantResult | null;
  capacity: Capacity;
  /**
   * The deployment's celebrity threshold and the authors in pull mode (GET /v1/admin/config) as the run started;
   * absent for the ceiling and in runs before it was recorded.
   */
  pullMode?: { celebrityThreshold: number; authors: number };
  /** Set on a run repeated under a changed deployment (`--celebrity-variant`); the main runs have none. */
  variant?: { celebrityThreshold: number };
  /** The serving processes' CPU per ladder step (the API processes, or the ceiling); absent in older runs. */
  serverCpu?: ServerCpuStep[];
  /** CPU (ms per second) the serving processes used idle just before the ladder: see idleCpuMsPerSecond. */
  serverIdleCpu?: number;
}

export interface ServerCpuStep {
  step: number;
  targetRate: number;
  /** CPU seconds (user + system) the serving processes used over the step. */
  cpuSeconds: number;
  /** The same per request the driver sent in the step. */
  msPerRequest: number | null;
  /** The same less the server's idle CPU over the step (serverIdleCpu): what the requests themselves cost. */
  netMsPerRequest?: number | null;
}

export interface FanoutThroughput {
  posts: number;
  authors: number;
  /** Followers (and authors) of the backlog's posts: the mailbox writes it takes. */
  expectedWrites: number;
  /** Mailbox writes the workers counted while draining. */
  writes: number;
  seconds: number;
  writesPerSec: number;
  /**
   * redis-benchmark ZADD -P 64 on the same Redis: the mean of the runs just before and just after the drain (one run,
   * before, in older summaries); null when redis-benchmark is missing.
   */
  zaddPerSec: number | null;
  /** The two runs apart: the machine's speed moves within minutes, so the drain is framed by both (absent before). */
  zaddAround?: { before: number | null; after: number | null };
  /**
   * CPU per mailbox write over the drain, by process, and the writes per second the machine's cores could do at that
   * cost if all of them did nothing else (absent before it was measured).
   */
  cpuPerWrite?: {
    redisMicros: number;
    workerMicros: number;
    postgresMicros: number;
    cores: number;
    coresBound: number;
  };
  /** writesPerSec per master / zaddPerSec: one Redis against one Redis. */
  ratioToZadd: number | null;
  fanoutConcurrency: number | null;
  /** Redis time per mailbox write over the drain (absent in runs before it was measured); a cluster's masters added. */
  redisCost?: RedisCost;
  /** Where redis-benchmark ran: `the same Redis`, or one master of a cluster (absent before clusters were measured). */
  zaddOn?: string;
  /** Masters the writes went to (1: one Redis). */
  masters?: number;
  /** Each master's writes (RPUSHX calls of the delivery script), their rate and its CPU over the drain. */
  perMaster?: MasterShare[];
  /** The replicas' CPU over the drain per write, all added; null without replicas. */
  replicaCpuMicrosPerWrite?: number | null;
  /** Mailbox writes per worker process over the drain, from each worker's own counter. */
  perWorker?: number[];
  server: ServerView;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  redis: string;
  postgres: string;
  commit: string | null;
  loadAverageAtStart: number[];
}

export interface GraphInfo {
  params: GraphParams;
  reused: boolean;
  rows: { users: number; follows: number; posts: number } | null;
  followers: FollowerSummary | null;
  celebrities: number;
  seedSeconds: number | null;
  warmSeconds: number;
}

export interface Goal {
  id: string;
  description: string;
  target: string;
  measured: string;
  /** null when the run did not measure it. */
  ok: boolean | null;
}

export interface BenchSummary {
  format: typeof BENCH_FORMAT;
  startedAt: string;
  finishedAt: string;
  command: string;
  options: Omit<BenchOptions, 'databaseUrl' | 'redisUrl'>;
  machine: Machine;
  graph: GraphInfo;
  runs: BenchRun[];
  fanout: FanoutThroughput | null;
  memory: RedisMemory | null;
  goals: Goal[];
  notes: string[];
  /** With --redis-cluster, --compare-cluster, --apis or --workers: the deployments measured and their figures. */
  scaling?: Scaling;
}

/** Limits a ladder step must meet to count towards capacity: < 1 % dropped and < 1 % errors, p99 within the limit. */
export function stepProblem(step: StepSummary, p99LimitMs: number = Infinity): string | null {
  const scheduled = step.scheduled ?? step.total.count + (step.total.dropped ?? 0);
  const dropped = step.total.dropped ?? 0;
  if (scheduled > 0 && dropped / scheduled >= 0.01) return `${dropped} of ${scheduled} dropped at ${step.targetRate}/s`;
  if (step.total.count > 0 && step.total.errors / step.total.count >= 0.01) {
    return `${step.total.errors} errors at ${step.targetRate}/s`;
  }
  for (const tag of step.tags) {
    if (tag.p99Ms !== null && tag.p99Ms > p99LimitMs) {
      return `${tag.endpoint} p99 ${tag.p99Ms} ms > ${p99LimitMs} ms at ${step.targetRate}/s`;
    }
  }
  if (step.total.count === 0) return `nothing completed at ${step.targetRate}/s`;
  return null;
}

export const LADDER_ENDED = 'the ladder ended before any limit was reached';

/** What a capacity of null means, in words: the report and the logs never print "none/s". */
export const NO_STEP_MET = 'no step met the limit';
/** What a sustained rate of null means: even the first step dropped or failed 1 % or more. */
export const NO_STEP_KEPT_UP = 'no step kept up';

const perSec = (rate: number) => `${rate.toLocaleString('en-US')}/s`;
export const capacityText = (c: Pick<Capacity, 'rate'>) => (c.rate === null ? NO_STEP_MET : perSec(c.rate));
export const sustainedText = (rate: number | null) => (rate === null ? NO_STEP_KEPT_UP : perSec(rate));

/**
 * The highest offered rate up to which every step kept p99 within the limit with under 1 % dropped or failed: the
 * first step that fails ends it, even if a higher one happens to pass.
 */
export function capacityOf(summary: RunSummary, p99LimitMs: number): Capacity {
  const steps = [...summary.steps].sort((a, b) => a.targetRate - b.targetRate);
  const highest = (limit: number) => {
    let rate: number | null = null;
    for (const step of steps) {
      const problem = stepProblem(step, limit);
      if (problem !== null) return { rate, problem };
      rate = step.targetRate;
    }
    return { rate, problem: LADDER_ENDED };
  };
  const capacity = highest(p99LimitMs);
  return { rate: capacity.rate, p99LimitMs, limitedBy: capacity.problem, sustained: highest(Infinity).rate };
}
