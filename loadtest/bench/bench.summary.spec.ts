import { describe, expect, it } from 'vitest';
import { ladderStep, runOf } from './bench.test-support.js';
import { capacityOf, LADDER_ENDED, stepProblem } from './bench.summary.js';

const step = ladderStep;
const run = runOf;

describe('stepProblem', () => {
  it('names the first limit a step breaks', () => {
    expect(stepProblem(step(100, 10), 50)).toBeNull();
    expect(stepProblem(step(100, 60), 50)).toBe('timeline p99 60 ms > 50 ms at 100/s');
    expect(stepProblem(step(100, 10, { dropped: 20 }), 50)).toBe('20 of 1020 dropped at 100/s');
    expect(stepProblem(step(100, 10, { errors: 10 }), 50)).toBe('10 errors at 100/s');
  });

  it('without a latency limit only drops and errors count', () => {
    expect(stepProblem(step(100, 5000))).toBeNull();
    expect(stepProblem(step(100, 5000, { dropped: 20 }))).not.toBeNull();
  });
});

describe('capacityOf', () => {
  it('ends at the first failing step even when a higher one passes', () => {
    const capacity = capacityOf(run(step(300, 10), step(100, 10), step(200, 70)), 50);
    expect(capacity.rate).toBe(100);
    expect(capacity.limitedBy).toBe('timeline p99 70 ms > 50 ms at 200/s');
  });

  it('reports the throughput sustained whatever the latency', () => {
    const capacity = capacityOf(run(step(100, 70), step(200, 90), step(300, 100, { dropped: 500 })), 50);
    expect(capacity.rate).toBeNull();
    expect(capacity.sustained).toBe(200);
  });

  it('says when the ladder never reached a limit', () => {
    const capacity = capacityOf(run(step(100, 10), step(200, 10)), 50);
    expect(capacity).toEqual({ rate: 200, p99LimitMs: 50, limitedBy: LADDER_ENDED, sustained: 200 });
  });
});
