import { describe, expect, it } from 'vitest';
import type { DeploymentShape } from './bench.deployment.js';
import { clusterComparison, figuresOf, ratio, scalingOf } from './bench.scaling.js';
import type { FanoutThroughput } from './bench.summary.js';
import { benchRun, ladderStep } from './bench.test-support.js';

const single: DeploymentShape = { redis: 'single', masters: 1, replicasPerMaster: 0, shards: 1, apis: 1, workers: 1 };
const cluster: DeploymentShape = { ...single, redis: 'cluster', masters: 3, replicasPerMaster: 1, shards: 16 };

const fanout = (writesPerSec: number, cpuMicrosPerEntry: number, masters: number, zaddPerSec = 200_000) =>
  ({
    writesPerSec,
    zaddPerSec,
    masters,
    ratioToZadd: Math.round((writesPerSec / masters / zaddPerSec) * 100) / 100,
    redisCost: { entries: 1, cpuMicrosPerEntry, byCommand: [] },
  }) as unknown as FanoutThroughput;

/** Push's read ladder passing its limit up to `capacity` (p99 10 ms), over it above (p99 80 ms), never dropping. */
const pushRead = (capacity: number) =>
  benchRun(
    'read',
    'push',
    [1000, 2000, 3000, 4000].map((rate) => ladderStep(rate, rate <= capacity ? 10 : 80)),
  );

describe('Scaling figures', () => {
  const results = [
    { shape: single, runs: [pushRead(3000)], fanout: fanout(90_000, 6, 1), memory: null, warmSeconds: 1 },
    {
      shape: { ...cluster, apis: 2, workers: 3 },
      runs: [pushRead(2000), benchRun('read', 'push', [ladderStep(4000, 1)], 'ceiling')],
      fanout: fanout(60_000, 12, 3),
      memory: null,
      warmSeconds: 1,
    },
  ];
  const scaling = scalingOf(results);
  const summary = { runs: results[0]!.runs };

  it("keeps the first deployment's runs once, as the summary's", () => {
    expect(scaling.deployments.map((d) => d.runs.length)).toEqual([0, 2]);
  });

  it('divides the totals per master, per worker and per API process, and per second of Redis CPU', () => {
    const [one, many] = figuresOf(summary, scaling);
    expect(one).toMatchObject({
      writesPerSec: 90_000,
      writesPerSecPerMaster: 90_000,
      writesPerSecPerWorker: 90_000,
      writesPerRedisCpuSecond: 166_667,
      pushRead: { rate: 3000, sustained: 4000 },
      pushReadPerApi: { rate: 3000, sustained: 4000 },
    });
    expect(many).toMatchObject({
      writesPerSec: 60_000,
      writesPerSecPerMaster: 20_000,
      writesPerSecPerWorker: 20_000,
      writesPerRedisCpuSecond: 83_333,
      ratioToZadd: 0.1,
      pushRead: { rate: 2000, sustained: 4000 },
      pushReadPerApi: { rate: 1000, sustained: 2000 },
    });
  });

  it('compares the cluster with one Redis on the same work, as ratios cluster / one Redis', () => {
    const c = clusterComparison(figuresOf(summary, scaling))!;
    expect([c.writes, c.readCapacity, c.readSustained, c.cpuPerWrite]).toEqual([0.67, 0.67, 1, 2]);
    expect(clusterComparison(figuresOf(summary, scalingOf(results.slice(0, 1))))).toBeNull();
  });

  it('has no ratio where a side was not measured', () => {
    expect(ratio(null, 5)).toBeNull();
    expect(ratio(5, 0)).toBeNull();
    const noFanout = scalingOf([{ ...results[0]!, fanout: null }, results[1]!]);
    const c = clusterComparison(figuresOf(summary, noFanout))!;
    expect([c.writes, c.cpuPerWrite, c.readCapacity]).toEqual([null, null, 0.67]);
  });
});

describe('writes per second of Redis CPU', () => {
  it("adds the masters' own counts when they were measured", () => {
    const share = (writes: number, cpuMicros: number) => ({ writes, cpuMicros }) as never;
    const f = { ...fanout(60_000, 12, 2), perMaster: [share(100_000, 1_000_000), share(50_000, 1_000_000)] };
    const scaling = scalingOf([{ shape: cluster, runs: [], fanout: f, memory: null, warmSeconds: 1 }]);
    expect(figuresOf({ runs: [] }, scaling)[0]!.writesPerRedisCpuSecond).toBe(75_000);
  });
});
