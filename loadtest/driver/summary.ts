import type { Histogram } from 'hdr-histogram-js';
import { encodeHistogram, type LatencySummary, newLatencyHistogram, type Strategy, summarize } from '#libs/contract';
import { FOLLOWING_BUCKETS, type FollowingBucket } from './credentials.model.js';
import type { DriveResult } from './open-model.driver.js';
import type { Endpoint, MixEntry, Scenario } from './scenario.model.js';

// One summary shape for the Node driver and k6 (loadtest/k6/summary.js maps k6's handleSummary data into it, with
// null where k6 has no data). Latencies are recorded in microseconds in HDR histograms and reported in ms; the encoded
// histograms travel with the summary so runs from several processes can be added (never average percentiles).

export const SUMMARY_FORMAT = 'fanout-lab.loadtest-summary/1';

/** `count` is completed requests (2xx, other statuses and network errors alike), as k6's http_req_duration counts. */
export interface LatencyStats extends LatencySummary {
  /** count / seconds measured. */
  ratePerSec: number;
  /** Non-2xx responses plus network errors and timeouts. */
  errors: number;
  /** Sends not made because maxInFlight requests were outstanding (k6: dropped_iterations). */
  dropped: number | null;
  /** hdr-histogram-js encodeIntoCompressedBase64, values in microseconds; null from k6. */
  histogram: string | null;
}

export interface TagStats extends LatencyStats {
  endpoint: Endpoint;
  strategy: Strategy;
}

/** Timeline reads by how many accounts the reader follows (pull's cost grows with it); null from k6. */
export interface FollowingStats extends LatencyStats {
  following: FollowingBucket;
}

export interface StepSummary {
  step: number;
  targetRate: number;
  durationSeconds: number;
  /** Sends due in the step, and sends made (scheduled − dropped); null from k6. */
  scheduled: number | null;
  sent: number | null;
  /** How late the driver itself dispatched sends (already inside the latencies); shows the driver's own limit. */
  dispatchLagP99Ms: number | null;
  dispatchLagMaxMs: number | null;
  total: LatencyStats;
  tags: TagStats[];
  byFollowing: FollowingStats[] | null;
}

export interface ThresholdResult {
  endpoint: Endpoint;
  stat: 'p99';
  limitMs: number;
  actualMs: number | null;
  ok: boolean;
}

export interface RunSummary {
  format: typeof SUMMARY_FORMAT;
  tool: 'node-driver' | 'k6';
  scenario: string;
  strategy: Strategy;
  baseUrl: string;
  startedAt: string;
  finishedAt: string;
  config: {
    rates: number[];
    stepSeconds: number;
    warmupSeconds: number;
    limit: number;
    maxInFlight: number;
    mix: MixEntry[];
  };
  histogramUnit: 'us';
  total: LatencyStats;
  tags: TagStats[];
  byFollowing: FollowingStats[] | null;
  steps: StepSummary[];
  thresholds: ThresholdResult[];
  thresholdsOk: boolean;
  notes: string[];
}

export type SummaryMeta = Omit<
  RunSummary,
  'format' | 'histogramUnit' | 'total' | 'tags' | 'byFollowing' | 'steps' | 'thresholds' | 'thresholdsOk'
> & {
  p99Ms: number;
};

/** What the driver records while it runs; one per measured ladder step. */
export interface TagRecord {
  endpoint: Endpoint;
  strategy: Strategy;
  latency: Histogram;
  errors: number;
  dropped: number;
}

export interface StepRecord {
  step: number;
  targetRate: number;
  seconds: number;
  scheduled: number;
  sent: number;
  lag: Histogram;
  tags: Map<string, TagRecord>;
  /** Timeline read latencies by the reader's following bucket. */
  following: Map<FollowingBucket, Histogram>;
}

export function newStepRecord(step: number, targetRate: number, seconds: number): StepRecord {
  return {
    step,
    targetRate,
    seconds,
    scheduled: 0,
    sent: 0,
    lag: newLatencyHistogram(),
    tags: new Map(),
    following: new Map(),
  };
}

export function followingRecord(record: StepRecord, bucket: FollowingBucket): Histogram {
  let h = record.following.get(bucket);
  if (!h) record.following.set(bucket, (h = newLatencyHistogram()));
  return h;
}

function followingStats(buckets: Map<FollowingBucket, Histogram>, seconds: number): FollowingStats[] {
  return FOLLOWING_BUCKETS.flatMap((following) => {
    const h = buckets.get(following);
    return h ? [{ following, ...statsOf(h, 0, null, seconds) }] : [];
  });
}

export function tagRecord(record: StepRecord, endpoint: Endpoint, strategy: Strategy): TagRecord {
  const key = `${endpoint}|${strategy}`;
  let tag = record.tags.get(key);
  if (!tag) record.tags.set(key, (tag = { endpoint, strategy, latency: newLatencyHistogram(), errors: 0, dropped: 0 }));
  return tag;
}

/** Percentiles as the product's own series are summarized (libs/contract), plus the client's counts. */
export function statsOf(h: Histogram, errors: number, dropped: number | null, seconds: number): LatencyStats {
  const { count, p50Ms, p90Ms, p99Ms, p999Ms, maxMs } = summarize(h);
  return {
    count,
    ratePerSec: seconds > 0 ? Math.round((count / seconds) * 100) / 100 : 0,
    p50Ms,
    p90Ms,
    p99Ms,
    p999Ms,
    maxMs,
    errors,
    dropped,
    histogram: encodeHistogram(h),
  };
}

interface Acc {
  endpoint: Endpoint;
  strategy: Strategy;
  h: Histogram;
  errors: number;
  dropped: number;
}

function accumulate(
  into: Map<string, Acc>,
  key: string,
  endpoint: Endpoint,
  strategy: Strategy,
  h: Histogram,
  errors: number,
  dropped: number,
) {
  let acc = into.get(key);
  if (!acc) into.set(key, (acc = { endpoint, strategy, h: newLatencyHistogram(), errors: 0, dropped: 0 }));
  acc.h.add(h);
  acc.errors += errors;
  acc.dropped += dropped;
}

const byTag = (a: { endpoint: string; strategy: string }, b: { endpoint: string; strategy: string }) =>
  a.endpoint.localeCompare(b.endpoint) || a.strategy.localeCompare(b.strategy);

export function buildSummary(meta: SummaryMeta, records: readonly StepRecord[]): RunSummary {
  const { p99Ms, ...rest } = meta;
  const allTags = new Map<string, Acc>();
  const allFollowing = new Map<FollowingBucket, Histogram>();
  const all = newLatencyHistogram();
  let allErrors = 0;
  let allDropped = 0;
  let allSeconds = 0;
  const steps = records.map((r): StepSummary => {
    const stepAll = newLatencyHistogram();
    const lag = summarize(r.lag);
    let errors = 0;
    let dropped = 0;
    const tags = [...r.tags.entries()].map(([key, t]) => {
      stepAll.add(t.latency);
      errors += t.errors;
      dropped += t.dropped;
      accumulate(allTags, key, t.endpoint, t.strategy, t.latency, t.errors, t.dropped);
      return { endpoint: t.endpoint, strategy: t.strategy, ...statsOf(t.latency, t.errors, t.dropped, r.seconds) };
    });
    for (const [bucket, h] of r.following) {
      if (!allFollowing.has(bucket)) allFollowing.set(bucket, newLatencyHistogram());
      allFollowing.get(bucket)!.add(h);
    }
    all.add(stepAll);
    allErrors += errors;
    allDropped += dropped;
    allSeconds += r.seconds;
    return {
      step: r.step,
      targetRate: r.targetRate,
      durationSeconds: r.seconds,
      scheduled: r.scheduled,
      sent: r.sent,
      dispatchLagP99Ms: lag.p99Ms,
      dispatchLagMaxMs: lag.maxMs,
      total: statsOf(stepAll, errors, dropped, r.seconds),
      tags: tags.sort(byTag),
      byFollowing: followingStats(r.following, r.seconds),
    };
  });
  const tags = [...allTags.values()]
    .map((a) => ({ endpoint: a.endpoint, strategy: a.strategy, ...statsOf(a.h, a.errors, a.dropped, allSeconds) }))
    .sort(byTag);
  const byFollowing = followingStats(allFollowing, allSeconds);
  return finish({ ...rest, total: statsOf(all, allErrors, allDropped, allSeconds), tags, byFollowing, steps }, p99Ms);
}

/** p99 per endpoint over all measured steps against the scenario's limit, as the k6 thresholds are set. */
export function finish(
  partial: Omit<RunSummary, 'format' | 'histogramUnit' | 'thresholds' | 'thresholdsOk'>,
  p99Ms: number,
): RunSummary {
  const endpoints = [...new Set(partial.config.mix.map((m) => m.endpoint))].sort();
  const thresholds = endpoints.map((endpoint): ThresholdResult => {
    const rows = partial.tags.filter((t) => t.endpoint === endpoint);
    const actual = rows.length === 0 ? null : Math.max(...rows.map((t) => t.p99Ms ?? 0));
    return { endpoint, stat: 'p99', limitMs: p99Ms, actualMs: actual, ok: actual !== null && actual < p99Ms };
  });
  return {
    format: SUMMARY_FORMAT,
    histogramUnit: 'us',
    ...partial,
    thresholds,
    thresholdsOk: thresholds.every((t) => t.ok),
  };
}

/** The summary of one driver run, as drive.cli writes it (the bench runs the CLI as a child process). */
export function summarizeDrive(
  scenario: Scenario,
  result: DriveResult,
  run: { baseUrl: string; transport: string; seed: string | number; timeoutMs: number },
): RunSummary {
  const notes = [
    "latency is measured from each send's scheduled time (open model), including the body read",
    `transport ${run.transport}, seed ${run.seed}, request timeout ${run.timeoutMs} ms`,
  ];
  if (result.warmup.sent + result.warmup.dropped > 0) {
    notes.push(
      `warm-up (not reported): sent ${result.warmup.sent}, dropped ${result.warmup.dropped}, errors ${result.warmup.errors}`,
    );
  }
  if (result.abandoned > 0)
    notes.push(`${result.abandoned} requests still unanswered at the drain bound (not counted)`);
  return buildSummary(
    {
      tool: 'node-driver',
      scenario: scenario.name,
      strategy: scenario.strategy,
      baseUrl: run.baseUrl,
      startedAt: result.startedAt.toISOString(),
      finishedAt: result.finishedAt.toISOString(),
      config: {
        rates: scenario.rates,
        stepSeconds: scenario.stepSeconds,
        warmupSeconds: scenario.warmupSeconds,
        limit: scenario.limit,
        maxInFlight: scenario.maxInFlight,
        mix: scenario.mix,
      },
      notes,
      p99Ms: scenario.thresholds.p99Ms,
    },
    result.records,
  );
}
