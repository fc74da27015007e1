import { describe, expect, it } from 'vitest';
import {
  addCounters,
  decodeHistogram,
  encodeHistogram,
  newLatencyHistogram,
  seriesKey,
  subtractCounters,
  subtractSeries,
  summarize,
  type CounterSeries,
  type EncodedSeries,
} from './histogram.math.js';
import { between, combine } from './metrics.aggregate.js';
import type { ProcessSnapshot } from './metrics.series.js';

/** One encoded series holding `micros`. */
function series(name: string, labels: Record<string, string>, micros: number[]): EncodedSeries {
  const h = newLatencyHistogram();
  for (const v of micros) h.recordValue(v);
  return { name, labels, histogram: encodeHistogram(h) };
}

function snapshot(id: string, histograms: EncodedSeries[], counters: CounterSeries[] = []): ProcessSnapshot {
  return { process: { id, role: 'api', pid: 1, host: 'h', startedAt: 'a' }, takenAt: 'b', histograms, counters };
}

describe('series', () => {
  it('are named the same whatever the label order', () => {
    expect(seriesKey('x', { b: '2', a: '1' })).toBe(seriesKey('x', { a: '1', b: '2' }));
    expect(seriesKey('x', { a: '1' })).not.toBe(seriesKey('x', { a: '2' }));
  });

  it('are summarized in ms, capping percentiles at the max', () => {
    const s = summarize(
      decodeHistogram(
        series(
          'lat',
          {},
          [...Array(1000).keys()].map((i) => (i + 1) * 1000),
        ).histogram,
      ),
    );
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(500, -1);
    expect(s.p99Ms).toBeCloseTo(990, -1);
    expect(s.maxMs).toBeGreaterThanOrEqual(s.p999Ms!);
  });

  it('summarize an empty histogram as no percentiles rather than zeros', () => {
    expect(summarize(newLatencyHistogram())).toEqual({
      count: 0,
      p50Ms: null,
      p90Ms: null,
      p99Ms: null,
      p999Ms: null,
      maxMs: null,
    });
  });
});

describe('intervals and sums across processes', () => {
  it('subtracts an earlier cumulative snapshot, series by series', () => {
    const before = [series('lat', { r: 'a' }, [1000, 2000])];
    const after = [series('lat', { r: 'a' }, [1000, 2000, 50_000, 60_000]), series('lat', { r: 'b' }, [7000])];
    const diff = subtractSeries(after, before);
    const a = decodeHistogram(diff.find((s) => s.labels.r === 'a')!.histogram);
    expect(a.totalCount).toBe(2);
    expect(a.minNonZeroValue).toBeGreaterThan(40_000);
    expect(decodeHistogram(diff.find((s) => s.labels.r === 'b')!.histogram).totalCount).toBe(1);
  });

  it('adds processes and counts a process that started in between from zero', () => {
    const writes = (value: number) => [{ name: 'writes', labels: {}, value }];
    const before = [snapshot('p1', [series('lat', {}, [1000])], writes(5))];
    const after = [
      snapshot('p1', [series('lat', {}, [1000, 3000])], writes(12)),
      snapshot('p2', [series('lat', {}, [5000])], writes(4)),
    ];
    const view = combine(between(before, after));
    expect(view.series).toHaveLength(1);
    expect(view.series[0]!.count).toBe(2);
    expect(view.series[0]!.maxMs).toBeCloseTo(5, 1);
    expect(view.counters).toEqual([{ name: 'writes', labels: {}, value: 11 }]);
    expect(view.processes.map((p) => p.id)).toEqual(['p1', 'p2']);
  });

  it('adds and subtracts counters by name and labels', () => {
    const a = [{ name: 'w', labels: { k: '1' }, value: 3 }];
    const b = [
      { name: 'w', labels: { k: '1' }, value: 4 },
      { name: 'w', labels: { k: '2' }, value: 1 },
    ];
    expect(addCounters([a, b])).toEqual([
      { name: 'w', labels: { k: '1' }, value: 7 },
      { name: 'w', labels: { k: '2' }, value: 1 },
    ]);
    expect(subtractCounters(b, a)).toEqual([
      { name: 'w', labels: { k: '1' }, value: 1 },
      { name: 'w', labels: { k: '2' }, value: 1 },
    ]);
  });
});
