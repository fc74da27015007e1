import { FOLLOWER_BUCKETS, SERIES } from '#libs/contract';
import { FOLLOWING_BUCKETS } from '../driver/credentials.model.js';
import type { BenchSummary } from '../bench/bench.summary.js';
import {
  achievedCaption,
  followingCaption,
  lagCaption,
  ladderCaption,
  spectrumCaption,
  spectrumChoice,
  throughputCaption,
  writesCaption,
} from './report.captions.js';
import {
  BUCKET_COLORS,
  colorOf,
  count,
  deliveryLag,
  lighten,
  mainEndpoint,
  readsByFollowing,
  runLabel,
  runsOf,
  seriesOf,
  spectrum,
  STRATEGY_COLORS,
  stepAtRate,
  tagOf,
  writePath,
} from './report.data.js';
import {
  barChart,
  escapeXml,
  formatNines,
  lineChart,
  nines,
  ninesTicks,
  type Axis,
  type LineSeries,
} from './svg.chart.js';

// The charts of report.html, each with a caption written from the figures the tables show (report.captions.ts).

export const figure = (svg: string, caption: string) =>
  `<figure>${svg}<figcaption>${escapeXml(caption)}</figcaption></figure>`;

/** A percentile axis wide enough for the rarest percentile plotted (the maximum sits past 99.99% in big runs). */
function ninesAxis(series: readonly LineSeries[]): Axis {
  const rarest = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[0])));
  // 4.00004 nines (the maximum of 10,000 samples) still fits a 99.99% axis.
  const max = Math.min(5, Math.max(2, Math.ceil(rarest - 0.001)));
  return { label: 'percentile', scale: 'linear', ticks: ninesTicks(max), format: formatNines, min: 0, max };
}

/** p50 (dashed) and p99 against the offered rate, one colour per strategy. */
export function ladderChart(summary: BenchSummary, scenario: string): string {
  const runs = runsOf(summary, scenario);
  const endpoint = mainEndpoint(runs[0]!);
  const series: LineSeries[] = [];
  for (const run of runs) {
    const points = (stat: 'p50Ms' | 'p99Ms') =>
      run.client.steps.flatMap((s): [number, number][] => {
        const v = tagOf(s, endpoint)?.[stat];
        return v === null || v === undefined ? [] : [[s.targetRate, v]];
      });
    series.push({ name: `${runLabel(run)} p99`, color: colorOf(run), points: points('p99Ms') });
    series.push({ name: `${runLabel(run)} p50`, color: colorOf(run), dashed: true, points: points('p50Ms') });
  }
  const limit = runs[0]!.capacity.p99LimitMs;
  return figure(
    lineChart({
      title: `${scenario}: ${endpoint} latency against offered load`,
      x: { label: 'offered rate (requests/s)', scale: 'linear', min: 0 },
      y: { label: 'latency (ms, log)', scale: 'log' },
      series,
      marks: [{ y: limit, label: `p99 limit ${limit} ms` }],
    }),
    ladderCaption(runs),
  );
}

/** Requests completed per second against the rate offered: what drops do to throughput, per run. */
export function achievedChart(summary: BenchSummary, scenario: string): string {
  const runs = runsOf(summary, scenario);
  const top = Math.max(...runs.flatMap((r) => r.client.steps.map((s) => s.targetRate)));
  // The diagonal first, so the runs are drawn over it.
  const diagonal: [number, number][] = [
    [0, 0],
    [top, top],
  ];
  const series: LineSeries[] = [
    { name: 'offered = achieved', color: '#9aa5ae', dashed: true, reference: true, points: diagonal },
    ...runs.map((run) => ({
      name: runLabel(run),
      color: colorOf(run),
      points: run.client.steps.map((s): [number, number] => [s.targetRate, Math.round(s.total.ratePerSec)]),
    })),
  ];
  return figure(
    lineChart({
      title: `${scenario}: achieved against offered rate`,
      x: { label: 'offered rate (requests/s)', scale: 'linear', min: 0 },
      y: { label: 'achieved (completed requests/s)', scale: 'linear', min: 0 },
      series,
    }),
    achievedCaption(runs),
  );
}

/** The whole latency distribution of each strategy at one offered rate, HDR-style. */
export function spectrumChart(summary: BenchSummary, scenario: string): string {
  const runs = runsOf(summary, scenario);
  const endpoint = mainEndpoint(runs[0]!);
  const choice = spectrumChoice(runs);
  if (!choice) return '';
  const series = runs.flatMap((run): LineSeries[] => {
    const encoded = tagOf(stepAtRate(run, choice.rate)!, endpoint)?.histogram;
    if (!encoded) return [];
    return [{ name: runLabel(run), color: colorOf(run), points: spectrum(encoded).map(([p, v]) => [nines(p), v]) }];
  });
  return figure(
    lineChart({
      title: `${scenario}: ${endpoint} latency by percentile at ${count(choice.rate)}/s`,
      x: ninesAxis(series),
      y: { label: 'latency (ms, log)', scale: 'log' },
      series,
    }),
    spectrumCaption(choice),
  );
}

export function followingChart(summary: BenchSummary): string {
  const { rate, rows } = readsByFollowing(summary);
  if (rows.length === 0 || rate === null) return '';
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const groups = strategies.flatMap((strategy) =>
    (['p50Ms', 'p99Ms'] as const).map((stat) => ({
      name: `${strategy} ${stat === 'p50Ms' ? 'p50' : 'p99'}`,
      color: stat === 'p50Ms' ? lighten(STRATEGY_COLORS[strategy] ?? '#555') : (STRATEGY_COLORS[strategy] ?? '#555'),
      values: FOLLOWING_BUCKETS.map(
        (b) => rows.find((r) => r.strategy === strategy && r.following === b)?.[stat] ?? null,
      ),
    })),
  );
  return figure(
    barChart({
      title: `Read latency by accounts followed (read, ${count(rate)}/s)`,
      categories: FOLLOWING_BUCKETS.map((b) => `follows ${b}`),
      y: { label: 'latency (ms, log)', scale: 'log' },
      groups,
    }),
    followingCaption(rate, rows),
  );
}

export function lagChart(summary: BenchSummary): string {
  const runs = summary.runs.filter((r) => r.target === 'api' && seriesOf(r, SERIES.stage('delivery_lag')).length > 0);
  const run =
    runs.find((r) => r.scenario === 'mixed' && r.strategy === 'push') ??
    runs.find((r) => r.strategy === 'push') ??
    runs[0];
  if (!run) return '';
  const series = FOLLOWER_BUCKETS.flatMap((bucket, i): LineSeries[] => {
    const s = seriesOf(run, SERIES.stage('delivery_lag')).find((x) => x.labels.detail === bucket);
    return s
      ? [
          {
            name: `${bucket} followers (${count(s.count)} posts)`,
            color: BUCKET_COLORS[i]!,
            points: spectrum(s.histogram).map(([p, v]) => [nines(p), v]),
          },
        ]
      : [];
  });
  const rows = deliveryLag(summary).filter((r) => r.scenario === run.scenario && r.strategy === run.strategy);
  return figure(
    lineChart({
      title: `Fan-out delivery lag by author's followers (${run.scenario}, ${run.strategy})`,
      x: ninesAxis(series),
      y: { label: 'post committed → last mailbox written (ms, log)', scale: 'log' },
      series,
    }),
    lagCaption(rows),
  );
}

/** Mailbox writes per strategy in the celebrity storm, each bar with its figure (hybrid's and pull's are 0). */
export function writesChart(summary: BenchSummary): string {
  const rows = writePath(summary).filter((r) => r.scenario === 'celebrity-storm');
  if (rows.length === 0) return '';
  return figure(
    barChart({
      title: 'celebrity-storm: mailbox writes on the write path',
      categories: rows.map((r) => r.strategy),
      y: { label: 'mailbox writes', scale: 'linear' },
      groups: [{ name: 'mailbox writes', color: '#6a51a3', values: rows.map((r) => r.mailboxWrites) }],
      valueFormat: count,
    }),
    writesCaption(rows),
  );
}

/** The fan-out drain against the pipelined ZADD limit measured on the same Redis around it. */
export function throughputChart(summary: BenchSummary): string {
  const f = summary.fanout;
  if (!f) return '';
  return figure(
    barChart({
      title: 'Fan-out throughput against the same-run ZADD limit',
      categories: ['writes per second, same Redis'],
      y: { label: 'writes per second', scale: 'linear' },
      groups: [
        { name: 'fan-out mailbox writes/s', color: '#6a51a3', values: [f.writesPerSec] },
        { name: 'redis-benchmark ZADD -P 64/s', color: '#9aa5ae', values: [f.zaddPerSec] },
      ],
      valueFormat: (v) => `${count(v)}/s`,
    }),
    throughputCaption(f),
  );
}
