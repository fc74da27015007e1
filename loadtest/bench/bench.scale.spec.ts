import { describe, expect, it } from 'vitest';
import { slotOf } from '#libs/contract';
import { BenchUsageError, parseBenchOptions } from './bench.options.js';
import { deploymentsOf, scaled, shardsOn } from './bench.scale.options.js';
import { addSpends, perMaster, type RedisSpend } from './redis.cost.js';
import { ownerOf, parseClusterSlots, tagOn } from './redis.target.js';

const scale = (raw: Record<string, string | boolean>) => parseBenchOptions(raw).scale;

describe('deployment options', () => {
  it('default to one Redis, one API and one worker: no Scaling section', () => {
    const s = scale({});
    expect(s).toMatchObject({ redis: 'single', apis: 1, workers: 1, clusterMasters: 3, clusterReplicas: 1 });
    expect(deploymentsOf(s)).toEqual(['single']);
    expect(shardsOn(s, 'single')).toBe(1);
    expect(scaled(s)).toBe(false);
  });

  it('--redis-cluster runs on a cluster, with several hash-tag groups per master unless told', () => {
    const s = scale({ 'redis-cluster': true, 'cluster-masters': '4', 'cluster-replicas': '0' });
    expect(s).toMatchObject({ redis: 'cluster', clusterMasters: 4, clusterReplicas: 0 });
    expect(deploymentsOf(s)).toEqual(['cluster']);
    expect(shardsOn(s, 'cluster')).toBe(16);
    expect(shardsOn(scale({ 'redis-cluster': true, 'redis-shards': '32' }), 'cluster')).toBe(32);
    expect(scaled(s)).toBe(true);
  });

  it("--compare-cluster measures one Redis first (the summary's main runs), then the cluster", () => {
    const s = scale({ 'compare-cluster': true });
    expect(deploymentsOf(s)).toEqual(['single', 'cluster']);
    expect(deploymentsOf(scale({ 'compare-cluster': true, 'redis-cluster': true }))).toEqual(['single', 'cluster']);
    expect([shardsOn(s, 'single'), shardsOn(s, 'cluster')]).toEqual([1, 16]);
  });

  it('takes --apis and --workers, whose ports must fit and miss the ceiling', () => {
    const s = scale({ apis: '3', workers: '2' });
    expect([s.apis, s.workers, scaled(s)]).toEqual([3, 2, true]);
    expect(() => scale({ apis: '0' })).toThrow(BenchUsageError);
    expect(() => scale({ workers: 'two' })).toThrow(/--workers must be a whole number in 1\.\.16/);
    expect(() => parseBenchOptions({ apis: '2', port: '3198' })).toThrow(/include --ceiling-port 3199/);
    expect(() => parseBenchOptions({ apis: '2', port: '65535' })).toThrow(BenchUsageError);
  });

  it('refuses a cluster shape without a cluster, and a cluster redis-cli cannot create', () => {
    expect(() => scale({ 'cluster-masters': '3' })).toThrow(/--redis-cluster or --compare-cluster/);
    expect(() => scale({ 'redis-cluster': true, 'cluster-masters': '2' })).toThrow(/3\.\.16/);
    expect(() => scale({ 'redis-cluster': true, 'cluster-replicas': '3' })).toThrow(/0\.\.2/);
  });
});

const spend = (cpuMicros: number, commands: Record<string, [number, number]>): RedisSpend => ({
  cpuMicros,
  commands: Object.fromEntries(Object.entries(commands).map(([k, [calls, usec]]) => [k, { calls, usec }])),
});

describe('Redis figures over the masters', () => {
  it("adds the masters' CPU and commandstats into one Redis", () => {
    const sum = addSpends([
      spend(1000, { rpushx: [10, 50], evalsha: [2, 80] }),
      spend(3000, { rpushx: [30, 150], wait: [2, 4] }),
    ]);
    expect(sum).toEqual(spend(4000, { rpushx: [40, 200], evalsha: [2, 80], wait: [2, 4] }));
    expect(addSpends([])).toEqual({ cpuMicros: 0, commands: {} });
  });

  it('gives each master its writes (RPUSHX calls), their rate and its CPU per write and per core', () => {
    const before = [spend(1_000_000, { rpushx: [100, 0] }), spend(0, {})];
    const after = [spend(1_500_000, { rpushx: [100_100, 0] }), spend(250_000, { rpushx: [50_000, 0] })];
    expect(perMaster(['127.0.0.1:7001', '127.0.0.1:7002'], before, after, 2)).toEqual([
      {
        node: '127.0.0.1:7001',
        writes: 100_000,
        writesPerSec: 50_000,
        cpuMicros: 500_000,
        cpuMicrosPerWrite: 5,
        writesPerCpuSecond: 200_000,
        busy: 0.25,
      },
      {
        node: '127.0.0.1:7002',
        writes: 50_000,
        writesPerSec: 25_000,
        cpuMicros: 250_000,
        cpuMicrosPerWrite: 5,
        writesPerCpuSecond: 200_000,
        busy: 0.13,
      },
    ]);
  });

  it('says nothing per write of a master that wrote nothing', () => {
    const [m] = perMaster(['a:1'], [spend(0, {})], [spend(0, {})], 1);
    expect(m).toMatchObject({ writes: 0, cpuMicrosPerWrite: null, writesPerCpuSecond: null, busy: 0 });
  });
});

describe('slots of a local cluster', () => {
  const ranges = parseClusterSlots([
    [0, 5460, ['127.0.0.1', 7001, 'id1'], ['127.0.0.1', 7004, 'id4']],
    [5461, 10922, ['127.0.0.1', 7002, 'id2']],
    [10923, 16383, ['127.0.0.1', 7003, 'id3']],
  ]);

  it('reads CLUSTER SLOTS as ranges and their masters', () => {
    expect(ranges[0]).toEqual({ from: 0, to: 5460, master: '127.0.0.1:7001' });
    expect(ownerOf(ranges, 5461)).toBe('127.0.0.1:7002');
    expect(() => ownerOf(ranges.slice(1), 0)).toThrow(/no master serves slot 0/);
  });

  it("finds a hash tag a given master serves, for redis-benchmark's keys", () => {
    const masterOf = (key: string) => ownerOf(ranges, slotOf(key));
    for (const master of ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003']) {
      const tag = tagOn(masterOf, master);
      expect(masterOf(`bench-zadd:{${tag}}:123`)).toBe(master);
    }
    expect(tagOn(() => 'one', 'one')).toBe('z0');
  });
});
