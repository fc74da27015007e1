import {
  encodeHistogram,
  newLatencyHistogram,
  SERIES,
  type SeriesView,
  type Strategy,
  summarize,
} from '#libs/contract';
import type { LatencyStats, RunSummary, StepSummary } from '../driver/summary.js';
import { capacityOf, type BenchRun } from './bench.summary.js';

// Small factories for the bench's pure-logic tests: ladder steps and runs with chosen p99s, drops and errors.

export function latencyStats(over: Partial<LatencyStats> = {}): LatencyStats {
  return {
    count: 1000,
    ratePerSec: 100,
    p50Ms: 2,
    p90Ms: 5,
    p99Ms: 10,
    p999Ms: 20,
    maxMs: 30,
    errors: 0,
    dropped: 0,
    histogram: null,
    ...over,
  };
}

export function ladderStep(
  targetRate: number,
  p99Ms: number,
  over: Partial<LatencyStats> = {},
  endpoint: 'timeline' | 'post' = 'timeline',
): StepSummary {
  const total = latencyStats({ p99Ms, ...over });
  return {
    step: targetRate,
    targetRate,
    durationSeconds: 10,
    scheduled: total.count + (total.dropped ?? 0),
    sent: total.count,
    dispatchLagP99Ms: null,
    dispatchLagMaxMs: null,
    total,
    tags: [{ ...total, endpoint, strategy: 'push' }],
    byFollowing: null,
  };
}

export const runOf = (...steps: StepSummary[]) => ({ steps }) as unknown as RunSummary;

export function benchRun(
  scenario: string,
  strategy: Strategy,
  steps: StepSummary[],
  target: 'api' | 'ceiling' = 'api',
  p99LimitMs = 50,
  over: Partial<BenchRun> = {},
): BenchRun {
  const client = runOf(...steps);
  return {
    scenario,
    strategy,
    target,
    client,
    server: null,
    serverSteps: [],
    drainSeconds: null,
    invariant: null,
    capacity: capacityOf(client, p99LimitMs),
    ...over,
  };
}

/** The server's GET /v1/me/timeline series for one ladder step, every read taking `micros`. */
export function timelineServerStep(step: number, micros: number, count = 100): BenchRun['serverSteps'][number] {
  const histogram = newLatencyHistogram();
  histogram.recordValueWithCount(micros, count);
  const labels = { method: 'GET', route: '/v1/me/timeline', strategy: 'hybrid' };
  const series: SeriesView = {
    name: SERIES.httpRequest,
    labels,
    histogram: encodeHistogram(histogram),
    ...summarize(histogram),
  };
  return { step, series: [series] };
}
