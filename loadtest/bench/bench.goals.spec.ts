import { describe, expect, it } from 'vitest';
import { benchRun, ladderStep as step } from './bench.test-support.js';
import { evaluateGoals } from './bench.goals.js';

const goal = (runs: Parameters<typeof evaluateGoals>[0], id: string) =>
  evaluateGoals(runs, null).find((g) => g.id === id)!;

describe('evaluateGoals', () => {
  it("compares hybrid with push at push's capacity", () => {
    const push = benchRun('read', 'push', [step(500, 20), step(1000, 30), step(2000, 80)]);
    const hybrid = benchRun('read', 'hybrid', [step(500, 25), step(1000, 60), step(2000, 90)]);
    const g = goal([push, hybrid], 'hybrid-read-p99');
    expect(g.measured).toBe('60 ms vs 30 ms at 1000/s = 2.00x');
    expect(g.ok).toBe(false);
  });

  it('without a push capacity, compares at the highest step both sustained', () => {
    const push = benchRun('read', 'push', [step(500, 70), step(1000, 80), step(2000, 90, { dropped: 100 })]);
    const hybrid = benchRun('read', 'hybrid', [step(500, 60), step(1000, 100), step(2000, 300)]);
    const g = goal([push, hybrid], 'hybrid-read-p99');
    expect(push.capacity.rate).toBeNull();
    expect(g.measured).toBe('100 ms vs 80 ms at 1000/s = 1.25x');
    expect(g.ok).toBe(true);
  });

  it('says the hybrid comparison was not measured when no step was sustained by both', () => {
    const push = benchRun('read', 'push', [step(500, 70, { dropped: 100 })]);
    const hybrid = benchRun('read', 'hybrid', [step(500, 60)]);
    expect(goal([push, hybrid], 'hybrid-read-p99')).toMatchObject({ measured: 'not measured', ok: null });
  });

  it('adds the sustained ratio to the ceiling comparison', () => {
    const push = benchRun('read', 'push', [step(500, 70), step(1000, 80), step(2000, 90, { dropped: 100 })]);
    const ceiling = benchRun('read', 'push', [step(500, 60), step(1000, 70), step(2000, 80)], 'ceiling');
    const g = goal([push, ceiling], 'push-read-vs-ceiling');
    expect(g.measured).toBe('none / none = n/a; sustained 1,000/s / 2,000/s = 0.50x');
    expect(g.ok).toBeNull();
  });

  it('holds push against a ceiling that has a capacity', () => {
    const push = benchRun('read', 'push', [step(500, 40), step(1000, 80)]);
    const ceiling = benchRun('read', 'push', [step(500, 30), step(1000, 40), step(2000, 90)], 'ceiling');
    const g = goal([push, ceiling], 'push-read-vs-ceiling');
    expect(g.measured).toMatch(/^500\/s \/ 1,000\/s = 0.50x/);
    expect(g.ok).toBe(false);
  });
});
