import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueMs, planPhases, sendTimesMs, totalSeconds } from './open-model.schedule.js';

describe('open-model schedule', () => {
  it('spaces sends evenly at 1/rate from the phase start', () => {
    expect(sendTimesMs({ startMs: 0, rate: 4, sends: 4 })).toEqual([0, 250, 500, 750]);
    expect(sendTimesMs({ startMs: 10_000, rate: 1000, sends: 3 })).toEqual([10_000, 10_001, 10_002]);
    // Computed from the index, so the 100 000th send of a 3/s phase has not drifted.
    expect(dueMs({ startMs: 0, rate: 3 }, 99_999)).toBeCloseTo(33_333_000, 6);
  });

  it('puts the warm-up first at the first rate, then the ladder back to back', () => {
    const phases = planPhases({ rates: [100, 200], stepSeconds: 10, warmupSeconds: 5 });
    expect(phases).toEqual([
      { kind: 'warmup', step: 0, rate: 100, seconds: 5, startMs: 0, sends: 500 },
      { kind: 'step', step: 1, rate: 100, seconds: 10, startMs: 5_000, sends: 1_000 },
      { kind: 'step', step: 2, rate: 200, seconds: 10, startMs: 15_000, sends: 2_000 },
    ]);
    expect(totalSeconds(phases)).toBe(25);
    expect(planPhases({ rates: [7], stepSeconds: 3, warmupSeconds: 0 }).map((p) => p.kind)).toEqual(['step']);
  });

  it('offers exactly rate x seconds sends, increasing, all inside the phase', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(100_000),
        (rate, seconds, startMs) => {
          const [phase] = planPhases({ rates: [rate], stepSeconds: seconds, warmupSeconds: 0 }).map((p) => ({
            ...p,
            startMs,
          }));
          const times = sendTimesMs(phase);
          expect(times).toHaveLength(rate * seconds);
          expect(times[0]).toBe(startMs);
          expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
          expect(times.at(-1)!).toBeLessThan(startMs + seconds * 1000);
        },
      ),
      { numRuns: 50 },
    );
  });
});
