import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, databaseInPath, parseBenchOptions } from './bench.options.js';

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

describe('parseBenchOptions --cleanup', () => {
  it('cleans up by default, and keeps a graph given --reuse-graph', () => {
    expect(parseBenchOptions({}).cleanup).toBe(true);
    expect(parseBenchOptions({ 'reuse-graph': true }).cleanup).toBe(false);
  });

  it('does what it is told either way', () => {
    expect(parseBenchOptions({ 'no-cleanup': true }).cleanup).toBe(false);
    expect(parseBenchOptions({ 'reuse-graph': true, cleanup: true }).cleanup).toBe(true);
    expect(() => parseBenchOptions({ cleanup: true, 'no-cleanup': true })).toThrow(BenchUsageError);
  });
});

describe('--cpu-profile', () => {
  it('profiles nothing unless asked, and takes the directory from where the bench was started', () => {
    expect(parseBenchOptions({}).cpuProfileDir).toBeUndefined();
    expect(parseBenchOptions({ 'cpu-profile': 'prof' }).cpuProfileDir).toBe(join(process.cwd(), 'prof'));
  });
});

describe('--redis-url', () => {
  it('names the database in the path, where every reader of the URL finds it', () => {
    expect(parseBenchOptions({ 'redis-url': 'redis://127.0.0.1:6379?db=7' }).redisUrl).toBe('redis://127.0.0.1:6379/7');
    expect(databaseInPath('redis://:pw@cache:6380/3')).toBe('redis://:pw@cache:6380/3');
    expect(databaseInPath('redis://cache')).toBe('redis://cache');
  });
});
