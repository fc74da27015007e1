import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions } from './bench.options.js';

describe('parseBenchOptions --celebrity-variant', () => {
  it('is absent unless given', () => {
    expect(parseBenchOptions({}).celebrityVariant).toBeUndefined();
    expect(parseBenchOptions({ 'celebrity-variant': '120' }).celebrityVariant).toBe(120);
  });

  it('must be lower than the celebrity threshold', () => {
    const raw = { 'celebrity-threshold': '100', 'celebrity-variant': '100' };
    expect(() => parseBenchOptions(raw)).toThrow(/--celebrity-variant must be a whole number in 1\.\.99/);
  });

  it('needs the read scenario and the hybrid strategy it repeats', () => {
    expect(() => parseBenchOptions({ 'celebrity-variant': '120', scenarios: 'write' })).toThrow(BenchUsageError);
    expect(() => parseBenchOptions({ 'celebrity-variant': '120', strategies: 'push' })).toThrow(BenchUsageError);
  });
});
