import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../driver/summary.js';
import type { BenchRun } from './bench.summary.js';
import { benchRun, latencyStats, ladderStep } from './bench.test-support.js';
import { hostWarnings, judgementWarnings } from './bench.warnings.js';

/** A read run with the given ladder timing; every step measured `count` reads. */
function run(stepSeconds: number, warmupSeconds: number, count: number): BenchRun {
  const r = benchRun('read', 'push', [ladderStep(100, 10, latencyStats({ count })), ladderStep(200, 10, { count })]);
  const config = { stepSeconds, warmupSeconds, mix: [{ endpoint: 'timeline', weight: 1, who: 'readers-by-activity' }] };
  return { ...r, client: { ...r.client, config } as unknown as RunSummary };
}

describe('judgementWarnings', () => {
  it('says nothing about a run long enough to judge', () => {
    expect(judgementWarnings([run(20, 10, 10_000)])).toEqual([]);
  });

  it('warns about a short warm-up, short steps and thin steps, each once', () => {
    const warnings = judgementWarnings([run(1, 1, 40), run(20, 10, 10_000)]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^Warm-up of 1 s before 1 of 2 ladders \(under 5 s\)/);
    expect(warnings[1]).toMatch(/^Steps of 1 s in 1 of 2 ladders \(under 10 s\)/);
    expect(warnings[2]).toMatch(/^2 of 4 ladder steps measured fewer than 1,000 requests/);
  });

  it('judges thin steps by the main endpoint, not by the posts a read-heavy mix sends', () => {
    const mixed = run(20, 10, 10_000);
    mixed.client.config.mix.push({ endpoint: 'post', weight: 1, who: 'authors-uniform' });
    for (const step of mixed.client.steps) step.tags.push({ ...step.tags[0]!, endpoint: 'post', count: 40 });
    expect(judgementWarnings([mixed])).toEqual([]);
  });
});

/** A ceiling ladder at 1,000 and 1,500/s whose second step had `p99Ms` and `dropped`, on `cores` of CPU there. */
function ceiling(p99Ms: number, dropped: number, cores: number | null): BenchRun {
  const steps = [ladderStep(1000, 20), ladderStep(1500, p99Ms, { count: 15_000, dropped })];
  const serverCpu = steps.map((step) => ({
    step: step.step,
    targetRate: step.targetRate,
    cpuSeconds: (step.targetRate === 1500 ? (cores ?? 0) : 0.3) * step.durationSeconds,
    msPerRequest: null,
  }));
  return benchRun('read', 'push', steps, 'ceiling', 50, cores === null ? {} : { serverCpu });
}

describe('hostWarnings', () => {
  it('says the machine paused the servers when the ceiling missed its p99 at a step it kept up with on half a core', () => {
    const warnings = hostWarnings([ceiling(58.8, 0, 0.52)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/broke the 50 ms p99 limit at 1,500\/s while it kept up on 52 % of a core/);
  });

  it('says nothing when the ceiling missed it near a full core, or by falling behind, or without CPU figures', () => {
    expect(hostWarnings([ceiling(58.8, 0, 0.85)])).toEqual([]);
    expect(hostWarnings([ceiling(58.8, 1000, 0.52)])).toEqual([]);
    expect(hostWarnings([ceiling(58.8, 0, null)])).toEqual([]);
    expect(hostWarnings([ceiling(20, 0, 0.52)])).toEqual([]);
  });

  it('judges the ceiling only: the product missing its p99 on half a core is the product’s', () => {
    expect(hostWarnings([{ ...ceiling(58.8, 0, 0.52), target: 'api' }])).toEqual([]);
  });
});
