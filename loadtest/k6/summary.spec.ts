import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../driver/scenario.model.js';
import { buildSummary, newStepRecord, tagRecord } from '../driver/summary.js';
import { renderText as driverText } from '../driver/summary.text.js';
import { subKey } from './plan.js';
import { fromK6, renderText as k6Text, type K6SummaryData } from './summary.js';

const mixed = JSON.parse(readFileSync(new URL('../scenarios/mixed.json', import.meta.url), 'utf8')) as Scenario;
const scenario: Scenario = { ...mixed, rates: [100, 200], stepSeconds: 10, warmupSeconds: 5 };

/** What k6 hands handleSummary for a run of `scenario` (shape as documented; values made up). */
function k6Data(): K6SummaryData {
  const metrics: K6SummaryData['metrics'] = {};
  const trend = (tags: Record<string, string>, med: number, count: number, failed: number) => {
    metrics[subKey('http_req_duration', tags)] = {
      type: 'trend',
      contains: 'time',
      values: { avg: med, min: 0.5, med, max: med * 10, 'p(90)': med * 2, 'p(99)': med * 4, 'p(99.9)': med * 8 },
    };
    metrics[subKey('http_req_failed', tags)] = {
      type: 'rate',
      values: { rate: failed / count, passes: failed, fails: count - failed },
    };
  };
  trend({ phase: 'measure' }, 2, 3000, 4);
  trend({ phase: 'measure', endpoint: 'timeline' }, 2, 2941, 3);
  trend({ phase: 'measure', endpoint: 'post' }, 6, 59, 1);
  trend({ scenario: 'step_1' }, 1.5, 1000, 1);
  trend({ scenario: 'step_1', endpoint: 'timeline' }, 1.5, 980, 1);
  trend({ scenario: 'step_1', endpoint: 'post' }, 5, 20, 0);
  trend({ scenario: 'step_2' }, 2.5, 2000, 3);
  trend({ scenario: 'step_2', endpoint: 'timeline' }, 2.5, 1961, 2);
  trend({ scenario: 'step_2', endpoint: 'post' }, 7, 39, 1);
  // k6 reports a dropped_iterations sub-metric only if something was dropped: step_1 has none.
  metrics['dropped_iterations{scenario:step_2}'] = { type: 'counter', values: { count: 12, rate: 0.3 } };
  return { metrics, state: { testRunDurationMs: 35_000 } };
}

describe('k6 handleSummary mapping', () => {
  const finishedAt = new Date('2026-01-01T00:00:35.000Z');
  const s = fromK6(k6Data(), { scenario, baseUrl: 'http://api:3000', finishedAt });

  it('gives the driver summary shape, with null where k6 has no data', () => {
    expect(s).toMatchObject({
      format: 'fanout-lab.loadtest-summary/1',
      tool: 'k6',
      scenario: 'mixed',
      strategy: 'hybrid',
    });
    expect(s.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(s.total).toMatchObject({
      count: 3000,
      ratePerSec: 150,
      p50Ms: 2,
      p90Ms: 4,
      p99Ms: 8,
      p999Ms: 16,
      maxMs: 20,
      errors: 4,
      dropped: 12,
      histogram: null,
    });
    expect(s.steps.map((st) => [st.step, st.targetRate, st.total.count, st.total.dropped, st.scheduled])).toEqual([
      [1, 100, 1000, 0, null],
      [2, 200, 2000, 12, null],
    ]);
    expect(s.steps[1].tags.map((t) => [t.endpoint, t.strategy, t.count, t.errors, t.dropped, t.p99Ms])).toEqual([
      ['post', 'hybrid', 39, 1, null, 28],
      ['timeline', 'hybrid', 1961, 2, null, 10],
    ]);
    expect(s.thresholds).toEqual([
      { endpoint: 'post', stat: 'p99', limitMs: 50, actualMs: 24, ok: true },
      { endpoint: 'timeline', stat: 'p99', limitMs: 50, actualMs: 8, ok: true },
    ]);
  });

  it('has the same keys as a driver summary, all the way down', () => {
    const r = newStepRecord(1, 100, 10);
    tagRecord(r, 'timeline', 'hybrid').latency.recordValue(1000);
    const driver = buildSummary(
      {
        tool: 'node-driver',
        scenario: 'mixed',
        strategy: 'hybrid',
        baseUrl: 'x',
        startedAt: 'a',
        finishedAt: 'b',
        config: s.config,
        notes: ['n'],
        p99Ms: 50,
      },
      [r],
    );
    const shape = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
          )
        : Array.isArray(v) && v.length > 0
          ? [shape(v[0])]
          : typeof v;
    const loose = (x: unknown) => JSON.stringify(shape(x)).replace(/"(number|object|string)"/g, '"v"'); // null is "object"
    expect(loose(s)).toBe(loose(driver));
  });

  it('renders the same text as the driver for the same summary', () => {
    expect(k6Text(s)).toBe(driverText(s));
    expect(k6Text(s)).toContain('note: latency is k6 http_req_duration');
    const r = newStepRecord(1, 100, 10);
    for (let i = 1; i <= 100; i++) tagRecord(r, 'post', 'push').latency.recordValue(i * 137);
    const driver = buildSummary(
      {
        tool: 'node-driver',
        scenario: 'mixed',
        strategy: 'push',
        baseUrl: 'x',
        startedAt: 'a',
        finishedAt: 'b',
        config: s.config,
        notes: ['n'],
        p99Ms: 1,
      },
      [r],
    );
    expect(k6Text(driver)).toBe(driverText(driver));
  });
});
