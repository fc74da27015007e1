import type { LatencyStats, RunSummary } from './summary.js';

// The text table of a summary. Kept character-for-character identical to renderText in loadtest/k6/summary.js
// (loadtest/k6/summary.spec.ts compares them), so k6 and driver reports read the same.

const COLUMNS = [
  'step',
  'target/s',
  'endpoint',
  'strategy',
  'count',
  'rate/s',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'p99.9 ms',
  'max ms',
  'errors',
  'dropped',
];

function fmt(v: number | null, digits: number): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function row(step: string, target: string, endpoint: string, strategy: string, s: LatencyStats): string[] {
  return [
    step,
    target,
    endpoint,
    strategy,
    String(s.count),
    fmt(s.ratePerSec, 1),
    fmt(s.p50Ms, 2),
    fmt(s.p90Ms, 2),
    fmt(s.p99Ms, 2),
    fmt(s.p999Ms, 2),
    fmt(s.maxMs, 2),
    String(s.errors),
    s.dropped === null ? '-' : String(s.dropped),
  ];
}

export function renderText(s: RunSummary): string {
  const rows: string[][] = [COLUMNS];
  for (const step of s.steps) {
    for (const t of step.tags) rows.push(row(String(step.step), String(step.targetRate), t.endpoint, t.strategy, t));
    if (step.tags.length !== 1)
      rows.push(row(String(step.step), String(step.targetRate), 'all', s.strategy, step.total));
  }
  for (const t of s.tags) rows.push(row('all', '', t.endpoint, t.strategy, t));
  if (s.tags.length !== 1) rows.push(row('all', '', 'all', s.strategy, s.total));
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = [
    `${s.scenario} / ${s.strategy} - ${s.tool} against ${s.baseUrl} - ${s.startedAt} .. ${s.finishedAt}`,
    `ladder ${s.config.rates.join(',')}/s x ${s.config.stepSeconds}s (warm-up ${s.config.warmupSeconds}s), maxInFlight ${s.config.maxInFlight}, limit ${s.config.limit}`,
    '',
    ...rows.map((r) =>
      r
        .map((cell, c) => (c < 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .trimEnd(),
    ),
    '',
  ];
  const lag = s.steps.filter((st) => st.dispatchLagP99Ms !== null);
  if (lag.length > 0) {
    lines.push(
      `driver dispatch lag p99/max ms by step: ${lag.map((st) => `${st.step}: ${fmt(st.dispatchLagP99Ms, 2)}/${fmt(st.dispatchLagMaxMs, 2)}`).join(', ')}`,
    );
  }
  for (const t of s.thresholds) {
    lines.push(`threshold ${t.endpoint} p99 < ${t.limitMs} ms: ${fmt(t.actualMs, 2)} ms ${t.ok ? 'ok' : 'FAILED'}`);
  }
  for (const n of s.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}
