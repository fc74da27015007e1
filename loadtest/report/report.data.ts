import {
  counterTotal,
  decodeHistogram,
  FOLLOWER_BUCKETS,
  type LatencySummary,
  SERIES,
  type SeriesView,
} from '#libs/contract';
import { FOLLOWING_BUCKETS } from '../driver/credentials.model.js';
import type { StepSummary, TagStats } from '../driver/summary.js';
import type { BenchRun, BenchSummary } from '../bench/bench.summary.js';
import { added } from '../bench/server.latency.js';

// What the report shows, derived from summary.json: pure functions, shared by the Markdown and HTML renderings.

export const STRATEGY_COLORS: Record<string, string> = {
  push: '#1f77b4',
  hybrid: '#2ca02c',
  pull: '#ff7f0e',
  ceiling: '#7f7f7f',
};
export const BUCKET_COLORS = ['#9ecae1', '#4292c6', '#08519c', '#08306b'];

export const runLabel = (run: BenchRun) =>
  run.target === 'ceiling'
    ? 'ceiling'
    : run.variant
      ? `${run.strategy}, threshold ${run.variant.celebrityThreshold}`
      : run.strategy;

/** A variant's repeat in a lighter shade of its strategy's colour. */
export const colorOf = (run: BenchRun) => {
  const color = STRATEGY_COLORS[run.target === 'ceiling' ? 'ceiling' : run.strategy] ?? '#555';
  return run.variant ? lighten(color) : color;
};

export function lighten(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number) => Math.round(c + (255 - c) * 0.55);
  return `#${[(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => mix(c).toString(16).padStart(2, '0')).join('')}`;
}

export function runsOf(summary: BenchSummary, scenario: string): BenchRun[] {
  return summary.runs.filter((r) => r.scenario === scenario);
}

export function scenariosOf(summary: BenchSummary): string[] {
  return [...new Set(summary.runs.map((r) => r.scenario))];
}

/** The endpoint a scenario is about: timeline reads unless the scenario only posts. */
export function mainEndpoint(run: BenchRun): 'timeline' | 'post' {
  return run.client.config.mix.some((m) => m.endpoint === 'timeline') ? 'timeline' : 'post';
}

export function tagOf(step: StepSummary, endpoint: string): TagStats | undefined {
  return step.tags.find((t) => t.endpoint === endpoint);
}

export function seriesOf(run: BenchRun, name: string): SeriesView[] {
  return run.server?.series.filter((s) => s.name === name) ?? [];
}

export function counterOf(run: BenchRun, name: string, detail?: string): number {
  return counterTotal(run.server?.counters ?? [], name, detail);
}

/** Percentile spectrum of an encoded histogram, in ms: [percentile, latency] for an HDR-style plot. */
export function spectrum(encoded: string): [number, number][] {
  const h = decodeHistogram(encoded);
  if (h.totalCount === 0) return [];
  const points: [number, number][] = [];
  for (const p of [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]) {
    if (p > 0 && h.totalCount < 1 / (1 - p / 100)) break;
    points.push([p, Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000]);
  }
  points.push([Math.min(99.999, 100 * (1 - 1 / (h.totalCount + 1))), h.maxValue / 1000]);
  return points;
}

/** The step of each run at a given offered rate. */
export function stepAtRate(run: BenchRun, rate: number): StepSummary | undefined {
  return run.client.steps.find((s) => s.targetRate === rate);
}

/** The highest rate every run of a scenario was offered (for side-by-side spectra). */
export function commonRates(runs: readonly BenchRun[]): number[] {
  const sets = runs.map((r) => new Set(r.client.steps.map((s) => s.targetRate)));
  return [...(sets[0] ?? [])].filter((rate) => sets.every((s) => s.has(rate))).sort((a, b) => a - b);
}

export interface FollowingRow {
  strategy: string;
  following: string;
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

/**
 * Read latency by how many accounts the reader follows, at the read ladder's first (least loaded) step, so the
 * numbers show each strategy's work rather than queueing.
 */
export function readsByFollowing(summary: BenchSummary): { rate: number | null; rows: FollowingRow[] } {
  // The main runs only: a variant's repeat would be a second row of the same strategy.
  const runs = runsOf(summary, 'read').filter((r) => r.target === 'api' && !r.variant);
  const rate = commonRates(runs)[0] ?? null;
  const rows: FollowingRow[] = [];
  if (rate === null) return { rate, rows };
  for (const run of runs) {
    const step = stepAtRate(run, rate);
    for (const following of FOLLOWING_BUCKETS) {
      const stats = step?.byFollowing?.find((b) => b.following === following);
      if (stats)
        rows.push({ strategy: run.strategy, following, count: stats.count, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms });
    }
  }
  return { rate, rows };
}

export interface LagRow extends LatencySummary {
  scenario: string;
  strategy: string;
  followers: string;
}

/** Delivery lag (post committed → last follower mailbox written) by the author's follower count. */
export function deliveryLag(summary: BenchSummary): LagRow[] {
  const rows: LagRow[] = [];
  for (const run of summary.runs.filter((r) => r.target === 'api')) {
    for (const followers of FOLLOWER_BUCKETS) {
      const series = seriesOf(run, SERIES.stage('delivery_lag')).filter((s) => s.labels.detail === followers);
      if (series.length) rows.push({ scenario: run.scenario, strategy: run.strategy, followers, ...added(series) });
    }
  }
  return rows;
}

export interface WritePathRow {
  scenario: string;
  strategy: string;
  posts: number;
  pushed: number;
  pulled: number;
  mailboxWrites: number;
  writesPerPost: number | null;
  postP99Ms: number | null;
  timelineP99Ms: number | null;
  drainSeconds: number | null;
}

/** What each post cost the write path: fanned out or left for read time, and the mailbox writes it took. */
export function writePath(summary: BenchSummary): WritePathRow[] {
  return summary.runs
    .filter((r) => r.target === 'api' && r.client.config.mix.some((m) => m.endpoint === 'post'))
    .map((run) => {
      const pushed = counterOf(run, SERIES.posts, 'pushed');
      const pulled = counterOf(run, SERIES.posts, 'pulled');
      const writes = counterOf(run, SERIES.mailboxWrites, 'deliver');
      return {
        scenario: run.scenario,
        strategy: run.strategy,
        posts: run.client.tags.find((t) => t.endpoint === 'post')?.count ?? 0,
        pushed,
        pulled,
        mailboxWrites: writes,
        writesPerPost: pushed + pulled > 0 ? Math.round(writes / (pushed + pulled)) : null,
        postP99Ms: run.client.tags.find((t) => t.endpoint === 'post')?.p99Ms ?? null,
        timelineP99Ms: run.client.tags.find((t) => t.endpoint === 'timeline')?.p99Ms ?? null,
        drainSeconds: run.drainSeconds,
      };
    });
}

export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
export const count = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : v.toLocaleString('en-US');
export const mark = (ok: boolean | null) => (ok === null ? '–' : ok ? '✓' : '✗');
