import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../driver/summary.js';
import type { BenchRun } from './bench.summary.js';
import { benchRun, latencyStats, ladderStep } from './bench.test-support.js';
import { judgementWarnings } from './bench.warnings.js';

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
