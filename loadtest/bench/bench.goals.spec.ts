import { describe, expect, it } from 'vitest';
import { benchRun, ladderStep as step, timelineServerStep } from './bench.test-support.js';
import { evaluateGoals, type Measurements } from './bench.goals.js';
import type { BenchRun, FanoutThroughput } from './bench.summary.js';
import type { RedisMemory } from './redis.admin.js';

const goal = (runs: BenchRun[], id: string, more: Partial<Measurements> = {}) =>
  evaluateGoals({ runs, fanout: null, memory: null, ...more }).find((g) => g.id === id)!;

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

  it('compares sustained rates, unjudged, when no step of a ladder met the limit', () => {
    const push = benchRun('read', 'push', [step(500, 70), step(1000, 80), step(2000, 90, { dropped: 100 })]);
    const ceiling = benchRun('read', 'push', [step(500, 60), step(1000, 70), step(2000, 80)], 'ceiling');
    const g = goal([push, ceiling], 'push-read-vs-ceiling');
    expect(g.measured).toBe(
      "no ratio: no step of push's or the ceiling's ladders met the limit; sustained rates 1,000/s / 2,000/s = 0.50x",
    );
    expect(g.ok).toBeNull();
  });

  it('holds push against a ceiling that has a capacity, at 0.9x', () => {
    const ceiling = benchRun('read', 'push', [step(500, 30), step(1000, 40), step(2000, 90)], 'ceiling');
    const push = benchRun('read', 'push', [step(500, 40), step(1000, 80)]);
    const g = goal([push, ceiling], 'push-read-vs-ceiling');
    expect(g.measured).toBe('500/s / 1,000/s = 0.50x; sustained 1,000/s / 2,000/s = 0.50x');
    expect(g.ok).toBe(false);
    const close = benchRun('read', 'push', [step(500, 40), step(1000, 45), step(2000, 80)]);
    expect(goal([close, ceiling], 'push-read-vs-ceiling')).toMatchObject({ target: '>= 0.9x', ok: true });
  });

  it("holds hybrid's read capacity against push's, at 0.8x", () => {
    const push = benchRun('read', 'push', [step(1000, 20), step(2000, 30), step(3000, 90)]);
    const hybrid = benchRun('read', 'hybrid', [step(1000, 20), step(2000, 70), step(3000, 90)]);
    const g = goal([hybrid, push], 'hybrid-vs-push-read-capacity');
    expect(g.measured).toBe('1,000/s / 2,000/s = 0.50x; sustained 3,000/s / 3,000/s = 1.00x');
    expect(g.ok).toBe(false);
  });

  it('judges a capacity ratio only where a ladder that never reached its limit cannot change the verdict', () => {
    const limited = benchRun('read', 'push', [step(1000, 20), step(2000, 90)]);
    const unlimited = benchRun('read', 'hybrid', [step(1000, 20), step(2000, 30)]);
    // Hybrid 2,000/s is only a lower bound: its true ratio is at least 2.00x, so the goal is met.
    expect(goal([unlimited, limited], 'hybrid-vs-push-read-capacity')).toMatchObject({
      measured: '2,000/s / 1,000/s = 2.00x (hybrid never reached its limit); sustained 2,000/s / 2,000/s = 1.00x',
      ok: true,
    });
    // Push 2,000/s is a lower bound: hybrid's 1,000/s might be 0.8x of push's true capacity or far less.
    const hybrid = benchRun('read', 'hybrid', [step(1000, 20), step(2000, 90)]);
    const push = benchRun('read', 'push', [step(1000, 20), step(2000, 30)]);
    expect(goal([hybrid, push], 'hybrid-vs-push-read-capacity').ok).toBe(false);
    const close = benchRun('read', 'hybrid', [step(1000, 20), step(1800, 20), step(2000, 90)]);
    const pushTo = benchRun('read', 'push', [step(1000, 20), step(1800, 20), step(2000, 30)]);
    expect(goal([close, pushTo], 'hybrid-vs-push-read-capacity').ok).toBeNull();
  });

  it("compares hybrid's server p50 with many celebrities at the lowest common rate", () => {
    const main = benchRun('read', 'hybrid', [step(500, 20), step(1000, 30)], 'api', 50, {
      serverSteps: [timelineServerStep(500, 2000), timelineServerStep(1000, 9000)],
      pullMode: { celebrityThreshold: 1000, authors: 61 },
    });
    const variant = benchRun('read', 'hybrid', [step(1000, 40), step(500, 25)], 'api', 50, {
      serverSteps: [timelineServerStep(1000, 9000), timelineServerStep(500, 2300)],
      pullMode: { celebrityThreshold: 120, authors: 607 },
      variant: { celebrityThreshold: 120 },
    });
    const g = goal([main, variant], 'hybrid-many-celebrities');
    expect(g.measured).toBe(
      '2.301 ms (threshold 120, 607 authors in pull mode) vs 2 ms (threshold 1000, 61 authors in pull mode) at 500/s = 1.15x',
    );
    expect(g.ok).toBe(true);
    // The variant is never taken for the main hybrid run, whatever the order.
    expect(goal([variant, main], 'hybrid-many-celebrities').ok).toBe(true);
    expect(goal([main], 'hybrid-many-celebrities')).toMatchObject({ measured: 'not run', ok: null });
  });

  it('judges fan-out throughput by its ratio to the same-run ZADD limit', () => {
    const fanout = { writesPerSec: 160_000, zaddPerSec: 400_000 } as FanoutThroughput;
    expect(goal([], 'fanout-throughput', { fanout })).toMatchObject({
      measured: '160,000/s mailbox writes / ZADD -P 64 400,000/s = 0.40x',
      ok: true,
    });
    const unmeasured = goal([], 'fanout-throughput', { fanout: { ...fanout, zaddPerSec: null } });
    expect(unmeasured.ok).toBeNull();
  });

  it('judges the bytes per mailbox entry, and says when memory was not measured', () => {
    const memory = { bytesPerMailboxEntry: 52, entriesPerMailbox: 400, sampledUsers: 500 } as RedisMemory;
    expect(goal([], 'mailbox-bytes-per-entry', { memory })).toMatchObject({
      measured: '52 B (400 entries per mailbox, 500 users sampled)',
      ok: false,
    });
    expect(goal([], 'mailbox-bytes-per-entry', { memory: { ...memory, bytesPerMailboxEntry: 40 } }).ok).toBe(true);
    // Summaries written before memory was measured have no field at all.
    expect(goal([], 'mailbox-bytes-per-entry', { memory: undefined })).toMatchObject({ ok: null });
  });
});
