import { describe, expect, it, vi } from 'vitest';
import { between, combine } from './metrics.aggregate.js';
import type { ProcessSnapshot } from './metrics.service.js';
import {
  addCounters,
  CounterSet,
  decodeHistogram,
  encodeHistogram,
  HistogramSet,
  seriesKey,
  subtractCounters,
  subtractSeries,
  summarize,
} from './histogram.set.js';

function snapshot(id: string, record: (h: HistogramSet, c: CounterSet) => void): ProcessSnapshot {
  const h = new HistogramSet();
  const c = new CounterSet();
  record(h, c);
  return {
    process: { id, role: 'api', pid: 1, host: 'h', startedAt: 'a' },
    takenAt: 'b',
    histograms: h.encode(),
    counters: c.list(),
  };
}

describe('HistogramSet', () => {
  it('names a series the same whatever the label order', () => {
    expect(seriesKey('x', { b: '2', a: '1' })).toBe(seriesKey('x', { a: '1', b: '2' }));
    expect(seriesKey('x', { a: '1' })).not.toBe(seriesKey('x', { a: '2' }));
  });

  it('summarizes in ms, capping percentiles at the max', () => {
    const set = new HistogramSet();
    for (let i = 1; i <= 1000; i++) set.record('lat', {}, i * 1000);
    const s = summarize(decodeHistogram(set.encode()[0]!.histogram));
    expect(s.count).toBe(1000);
    expect(s.p50Ms).toBeCloseTo(500, -1);
    expect(s.p99Ms).toBeCloseTo(990, -1);
    expect(s.maxMs).toBeGreaterThanOrEqual(s.p999Ms!);
  });

  it('encodes a series again only once it was recorded into', () => {
    const set = new HistogramSet();
    const encoder = vi.fn(encodeHistogram);
    const kept = set.series('kept', {});
    kept.recordValue(1000);
    set.record('other', {}, 5);
    set.encode(encoder);
    expect(encoder).toHaveBeenCalledTimes(2);
    set.encode(encoder);
    expect(encoder).toHaveBeenCalledTimes(2);
    kept.recordValue(900_000);
    const [again] = set.encode(encoder);
    expect(encoder).toHaveBeenCalledTimes(3);
    const decoded = decodeHistogram(again!.histogram);
    expect(decoded.totalCount).toBe(2);
    expect(summarize(decoded).maxMs).toBeCloseTo(900, 0);
  });

  it('leaves empty series out of the encoding', () => {
    const set = new HistogramSet();
    set.series('never', {});
    expect(set.encode()).toEqual([]);
  });
});

describe('intervals and sums across processes', () => {
  it('subtracts an earlier cumulative snapshot, series by series', () => {
    const before = snapshot('p1', (h) => [1000, 2000].forEach((v) => h.record('lat', { r: 'a' }, v)));
    const after = snapshot('p1', (h) => {
      [1000, 2000, 50_000, 60_000].forEach((v) => h.record('lat', { r: 'a' }, v));
      h.record('lat', { r: 'b' }, 7000);
    });
    const diff = subtractSeries(after.histograms, before.histograms);
    const a = decodeHistogram(diff.find((s) => s.labels.r === 'a')!.histogram);
    expect(a.totalCount).toBe(2);
    expect(a.minNonZeroValue).toBeGreaterThan(40_000);
    expect(decodeHistogram(diff.find((s) => s.labels.r === 'b')!.histogram).totalCount).toBe(1);
  });

  it('adds processes and counts a process that started in between from zero', () => {
    const before = [snapshot('p1', (h, c) => (h.record('lat', {}, 1000), c.add('writes', {}, 5)))];
    const after = [
      snapshot('p1', (h, c) => {
        h.record('lat', {}, 1000);
        h.record('lat', {}, 3000);
        c.add('writes', {}, 12);
      }),
      snapshot('p2', (h, c) => (h.record('lat', {}, 5000), c.add('writes', {}, 4))),
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
