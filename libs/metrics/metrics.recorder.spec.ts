import { describe, expect, it, vi } from 'vitest';
import { decodeHistogram, encodeHistogram, summarize } from '#libs/contract';
import { CounterSet, HistogramSet } from './metrics.recorder.js';

describe('HistogramSet', () => {
  it('records in µs under the series name and labels', () => {
    const set = new HistogramSet();
    for (let i = 1; i <= 1000; i++) set.record('lat', { r: 'a' }, i * 1000);
    const [only] = set.encode();
    expect(only).toMatchObject({ name: 'lat', labels: { r: 'a' } });
    expect(summarize(decodeHistogram(only!.histogram)).p50Ms).toBeCloseTo(500, -1);
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

describe('CounterSet', () => {
  it('adds by name and labels, whatever the label order', () => {
    const counters = new CounterSet();
    counters.add('w', { a: '1', b: '2' }, 3);
    counters.add('w', { b: '2', a: '1' });
    counters.add('w', { a: '2' });
    expect(counters.list()).toEqual([
      { name: 'w', labels: { a: '1', b: '2' }, value: 4 },
      { name: 'w', labels: { a: '2' }, value: 1 },
    ]);
  });
});
