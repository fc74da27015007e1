import { describe, expect, it } from 'vitest';
import { decodeHistogram, newLatencyHistogram } from '#libs/contract';
import type { Scenario } from './scenario.model.js';
import { buildSummary, newStepRecord, statsOf, tagRecord, type SummaryMeta } from './summary.js';
import { mergeSummaries } from './summary.merge.js';
import { renderText } from './summary.text.js';

const mix: Scenario['mix'] = [
  { endpoint: 'timeline', weight: 50, who: 'readers-by-activity' },
  { endpoint: 'post', weight: 1, who: 'authors-uniform' },
];
const meta = (p99Ms = 1000): SummaryMeta => ({
  tool: 'node-driver',
  scenario: 'mixed',
  strategy: 'push',
  baseUrl: 'http://127.0.0.1:1',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:20.000Z',
  config: { rates: [100, 200], stepSeconds: 10, warmupSeconds: 0, limit: 20, maxInFlight: 64, mix },
  notes: [],
  p99Ms,
});

/** Two steps; timeline latencies 1..1000 ms in step 1 and 1001..2000 ms in step 2, one post per step. */
function records() {
  const steps = [newStepRecord(1, 100, 10), newStepRecord(2, 200, 10)];
  steps.forEach((r, s) => {
    const t = tagRecord(r, 'timeline', 'push');
    for (let ms = 1; ms <= 1000; ms++) t.latency.recordValue((s * 1000 + ms) * 1000);
    t.errors = 3;
    t.dropped = s;
    const p = tagRecord(r, 'post', 'push');
    p.latency.recordValue(5_000);
    r.scheduled = 1001 + s;
    r.sent = 1001;
    r.lag.recordValue(250);
  });
  return steps;
}

describe('summary percentiles', () => {
  it('from 1..1000 ms in an HDR histogram: p50 ~ 500, p90 ~ 900, p99 ~ 990, p99.9 ~ 999, max 1000', () => {
    const h = newLatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.recordValue(ms * 1000); // recorded in µs
    const s = statsOf(h, 0, 0, 10);
    // 3 significant digits: each value within 0.1% of the exact one.
    expect(s.p50Ms).toBeCloseTo(500, -0.3);
    expect(s.p90Ms).toBeCloseTo(900, -0.3);
    expect(s.p99Ms).toBeCloseTo(990, -0.3);
    expect(s.p999Ms).toBeCloseTo(999, -0.3);
    expect(s.maxMs).toBe(1000);
    expect(s).toMatchObject({ count: 1000, ratePerSec: 100, errors: 0, dropped: 0 });
    expect(decodeHistogram(s.histogram!).totalCount).toBe(1000);
  });

  it('an empty histogram reports no percentiles rather than zeros', () => {
    expect(statsOf(newLatencyHistogram(), 0, 5, 10)).toMatchObject({
      count: 0,
      p50Ms: null,
      p99Ms: null,
      maxMs: null,
      dropped: 5,
    });
  });
});

describe('buildSummary', () => {
  it('reports per step and per endpoint x strategy, and adds histograms for the totals', () => {
    const s = buildSummary(meta(), records());
    expect(s.format).toBe('fanout-lab.loadtest-summary/1');
    expect(s.steps.map((st) => st.tags.map((t) => `${t.endpoint}/${t.strategy}:${t.count}`))).toEqual([
      ['post/push:1', 'timeline/push:1000'],
      ['post/push:1', 'timeline/push:1000'],
    ]);
    expect(s.steps[1].total).toMatchObject({ count: 1001, errors: 3, dropped: 1, ratePerSec: 100.1 });
    expect(s.steps[0]).toMatchObject({ scheduled: 1001, sent: 1001, dispatchLagP99Ms: 0.25 });
    const timeline = s.tags.find((t) => t.endpoint === 'timeline')!;
    // Percentiles of the union, not an average of the steps' percentiles.
    expect(timeline).toMatchObject({ count: 2000, errors: 6, dropped: 1, ratePerSec: 100 });
    expect(timeline.p50Ms).toBeCloseTo(1000, -0.3);
    expect(timeline.p99Ms).toBeCloseTo(1980, -0.5);
    expect(s.total.count).toBe(2002);
  });

  it('checks p99 per endpoint against the scenario threshold', () => {
    const failing = buildSummary(meta(1000), records());
    expect(failing.thresholds.map((t) => [t.endpoint, t.ok])).toEqual([
      ['post', true],
      ['timeline', false],
    ]);
    expect(failing.thresholdsOk).toBe(false);
    expect(buildSummary(meta(5000), records()).thresholdsOk).toBe(true);
  });

  it('merging two processes equals one process that saw both', () => {
    const one = buildSummary(meta(), records());
    const merged = mergeSummaries([one, buildSummary(meta(), records())]);
    expect(merged.total.count).toBe(2 * one.total.count);
    expect(merged.steps[0].targetRate).toBe(200);
    expect(merged.steps[0].scheduled).toBe(2002);
    expect(merged.tags.find((t) => t.endpoint === 'timeline')!.p99Ms).toBe(
      one.tags.find((t) => t.endpoint === 'timeline')!.p99Ms,
    );
    expect(merged.notes).toContain('merged from 2 processes');
    expect(() => mergeSummaries([one, { ...one, scenario: 'read' }])).toThrow(/cannot merge/);
  });

  it('renders a text table with a row per step x tag, totals and thresholds', () => {
    const text = renderText(buildSummary(meta(), records()));
    expect(text).toContain('mixed / push - node-driver against http://127.0.0.1:1');
    expect(text).toMatch(
      /^step\s+target\/s\s+endpoint\s+strategy\s+count\s+rate\/s\s+p50 ms\s+p90 ms\s+p99 ms\s+p99.9 ms\s+max ms\s+errors\s+dropped$/m,
    );
    expect(text).toMatch(/^2\s+200\s+timeline\s+push\s+1000\s+100\.0\s+1500\.\d\d\s/m);
    expect(text).toMatch(/^all\s+all\s+push\s+2002\s/m);
    expect(text).toContain('threshold timeline p99 < 1000 ms:');
    expect(text).toContain('FAILED');
  });
});
