// Maps k6's handleSummary data into the summary shape of the Node driver (loadtest/driver/summary.ts,
// format fanout-lab.loadtest-summary/1), with null where k6 has no data: no histograms (k6 keeps none to export),
// no per-endpoint dropped counts (a dropped iteration never chose an endpoint), no scheduled/sent counts and no
// dispatch lag. Pure: no k6 imports, so loadtest/k6/summary.spec.ts runs it under Node.

import { endpointsOf, stepName, subKey } from './plan.js';

export const SUMMARY_FORMAT = 'fanout-lab.loadtest-summary/1';

const round3 = (v) => (typeof v === 'number' && isFinite(v) ? Math.round(v * 1000) / 1000 : null);

function values(data, metric, tags) {
  const m = data.metrics[subKey(metric, tags)];
  return m && m.values ? m.values : null;
}

function stats(data, tags, seconds, dropped) {
  const d = values(data, 'http_req_duration', tags);
  // http_req_failed is a Rate over every request: "passes" are the failed ones (non-2xx with the script's callback),
  // "fails" the others, so together they count the requests (no http_reqs sub-metric needed, see plan.js).
  const failed = values(data, 'http_req_failed', tags);
  const count = failed ? failed.passes + failed.fails : 0;
  return {
    count: count,
    ratePerSec: seconds > 0 ? Math.round((count / seconds) * 100) / 100 : 0,
    p50Ms: d ? round3(d.med) : null,
    p90Ms: d ? round3(d['p(90)']) : null,
    p99Ms: d ? round3(d['p(99)']) : null,
    p999Ms: d ? round3(d['p(99.9)']) : null,
    maxMs: d ? round3(d.max) : null,
    errors: failed ? failed.passes : 0,
    dropped: dropped,
    histogram: null,
  };
}

function droppedIn(data, scenario) {
  const v = values(data, 'dropped_iterations', { scenario: scenario });
  return v ? v.count : 0;
}

const byEndpoint = (a, b) => (a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0);

/** ctx: { scenario (checked), baseUrl, finishedAt: Date } */
export function fromK6(data, ctx) {
  const s = ctx.scenario;
  const endpoints = endpointsOf(s);
  const steps = s.rates.map((rate, i) => {
    const scenario = stepName(i + 1);
    const dropped = droppedIn(data, scenario);
    return {
      step: i + 1,
      targetRate: rate,
      durationSeconds: s.stepSeconds,
      scheduled: null,
      sent: null,
      dispatchLagP99Ms: null,
      dispatchLagMaxMs: null,
      total: stats(data, { scenario: scenario }, s.stepSeconds, dropped),
      tags: endpoints
        .map((e) =>
          Object.assign(
            { endpoint: e, strategy: s.strategy },
            stats(data, { scenario: scenario, endpoint: e }, s.stepSeconds, null),
          ),
        )
        .filter((t) => t.count > 0)
        .sort(byEndpoint),
      // k6 keeps no per-reader breakdown (the driver's reads by following count).
      byFollowing: null,
    };
  });
  const seconds = s.rates.length * s.stepSeconds;
  const totalDropped = steps.reduce((n, st) => n + st.total.dropped, 0);
  const tags = endpoints
    .map((e) =>
      Object.assign(
        { endpoint: e, strategy: s.strategy },
        stats(data, { phase: 'measure', endpoint: e }, seconds, null),
      ),
    )
    .filter((t) => t.count > 0)
    .sort(byEndpoint);
  const durationMs = data.state && typeof data.state.testRunDurationMs === 'number' ? data.state.testRunDurationMs : 0;
  const finishedAt = ctx.finishedAt || new Date();
  const notes = [
    'latency is k6 http_req_duration: from the request start, not from the scheduled time; sends k6 could not start on time (no free VU) are dropped_iterations',
  ];
  if (s.warmupSeconds > 0) notes.push('warm-up (not reported): dropped ' + droppedIn(data, 'warmup'));
  const thresholds = endpoints
    .slice()
    .sort()
    .map((e) => {
      const rows = tags.filter((t) => t.endpoint === e);
      const actual =
        rows.length === 0
          ? null
          : Math.max.apply(
              null,
              rows.map((t) => (t.p99Ms === null ? 0 : t.p99Ms)),
            );
      return {
        endpoint: e,
        stat: 'p99',
        limitMs: s.thresholds.p99Ms,
        actualMs: actual,
        ok: actual !== null && actual < s.thresholds.p99Ms,
      };
    });
  return {
    format: SUMMARY_FORMAT,
    histogramUnit: 'us',
    tool: 'k6',
    scenario: s.name,
    strategy: s.strategy,
    baseUrl: ctx.baseUrl,
    startedAt: new Date(finishedAt.getTime() - durationMs).toISOString(),
    finishedAt: finishedAt.toISOString(),
    config: {
      rates: s.rates,
      stepSeconds: s.stepSeconds,
      warmupSeconds: s.warmupSeconds,
      limit: s.limit,
      maxInFlight: s.maxInFlight,
      mix: s.mix,
    },
    total: stats(data, { phase: 'measure' }, seconds, totalDropped),
    tags: tags,
    byFollowing: null,
    steps: steps,
    thresholds: thresholds,
    thresholdsOk: thresholds.every((t) => t.ok),
    notes: notes,
  };
}

// ---- text: character-for-character the same as renderText in loadtest/driver/summary.text.ts (a test compares) ----

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

function fmt(v, digits) {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function row(step, target, endpoint, strategy, s) {
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

export function renderText(s) {
  const rows = [COLUMNS];
  s.steps.forEach((step) => {
    step.tags.forEach((t) => rows.push(row(String(step.step), String(step.targetRate), t.endpoint, t.strategy, t)));
    if (step.tags.length !== 1)
      rows.push(row(String(step.step), String(step.targetRate), 'all', s.strategy, step.total));
  });
  s.tags.forEach((t) => rows.push(row('all', '', t.endpoint, t.strategy, t)));
  if (s.tags.length !== 1) rows.push(row('all', '', 'all', s.strategy, s.total));
  const widths = COLUMNS.map((_, c) =>
    Math.max.apply(
      null,
      rows.map((r) => r[c].length),
    ),
  );
  const lines = [
    s.scenario +
      ' / ' +
      s.strategy +
      ' - ' +
      s.tool +
      ' against ' +
      s.baseUrl +
      ' - ' +
      s.startedAt +
      ' .. ' +
      s.finishedAt,
    'ladder ' +
      s.config.rates.join(',') +
      '/s x ' +
      s.config.stepSeconds +
      's (warm-up ' +
      s.config.warmupSeconds +
      's), maxInFlight ' +
      s.config.maxInFlight +
      ', limit ' +
      s.config.limit,
    '',
  ];
  rows.forEach((r) =>
    lines.push(
      r
        .map((cell, c) => (c < 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('  ')
        .replace(/\s+$/, ''),
    ),
  );
  lines.push('');
  const lag = s.steps.filter((st) => st.dispatchLagP99Ms !== null);
  if (lag.length > 0) {
    lines.push(
      'driver dispatch lag p99/max ms by step: ' +
        lag.map((st) => st.step + ': ' + fmt(st.dispatchLagP99Ms, 2) + '/' + fmt(st.dispatchLagMaxMs, 2)).join(', '),
    );
  }
  s.thresholds.forEach((t) =>
    lines.push(
      'threshold ' +
        t.endpoint +
        ' p99 < ' +
        t.limitMs +
        ' ms: ' +
        fmt(t.actualMs, 2) +
        ' ms ' +
        (t.ok ? 'ok' : 'FAILED'),
    ),
  );
  s.notes.forEach((n) => lines.push('note: ' + n));
  return lines.join('\n') + '\n';
}
