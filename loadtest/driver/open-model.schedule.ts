import type { Scenario } from './scenario.model.js';

// The open model's schedule is fixed before the run starts: send i of a phase is due at start + i/rate, whatever the
// server does. Latency is later measured from these due times, so a slow server (or a slow driver) shows up as
// latency instead of quietly lowering the offered load (coordinated omission).

export interface Phase {
  kind: 'warmup' | 'step';
  /** 1-based ladder step; 0 for the warm-up. */
  step: number;
  rate: number;
  seconds: number;
  /** Offset of the phase from the run's t0, in milliseconds. */
  startMs: number;
  /** Sends in the phase: rate × seconds. */
  sends: number;
}

/** Warm-up (if any) at the first rate, then one phase per ladder step, back to back. */
export function planPhases(s: Pick<Scenario, 'rates' | 'stepSeconds' | 'warmupSeconds'>): Phase[] {
  const phases: Phase[] = [];
  let startMs = 0;
  const add = (kind: Phase['kind'], step: number, rate: number, seconds: number) => {
    phases.push({ kind, step, rate, seconds, startMs, sends: Math.floor(rate * seconds + 1e-9) });
    startMs += seconds * 1000;
  };
  if (s.warmupSeconds > 0) add('warmup', 0, s.rates[0], s.warmupSeconds);
  s.rates.forEach((rate, i) => add('step', i + 1, rate, s.stepSeconds));
  return phases;
}

/** Due time of send i of a phase, in ms from t0. Computed from i (not accumulated) so rounding never drifts. */
export function dueMs(phase: Pick<Phase, 'startMs' | 'rate'>, i: number): number {
  return phase.startMs + (i * 1000) / phase.rate;
}

/** All due times of a phase; for tests and inspection (the driver computes them one at a time). */
export function sendTimesMs(phase: Pick<Phase, 'startMs' | 'rate' | 'sends'>): number[] {
  return Array.from({ length: phase.sends }, (_, i) => dueMs(phase, i));
}

export function totalSeconds(phases: readonly Phase[]): number {
  return phases.reduce((sum, p) => sum + p.seconds, 0);
}
