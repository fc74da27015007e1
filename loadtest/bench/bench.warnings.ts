import type { BenchRun } from './bench.summary.js';

// When a run was too short to judge its goals. The goals are still evaluated (a tiny run must still show what it
// measured), but a reader must not take "not met" from a one-second warm-up or a p99 of forty requests for a verdict
// on the service, so the report and the bench's log say so above them.

/** A warm-up shorter than this leaves the first step on cold caches, connection pools and JIT. */
export const MIN_WARMUP_SECONDS = 5;
/** A step shorter than this is swung by one garbage-collection or scheduling pause of a few hundred ms. */
export const MIN_STEP_SECONDS = 10;
/** A p99 over fewer requests rests on fewer than 10 of them above it. */
export const MIN_STEP_REQUESTS = 1000;

const list = (values: number[]) => [...new Set(values)].sort((a, b) => a - b).join(', ');
const mainEndpoint = (run: BenchRun) =>
  run.client.config.mix.some((m) => m.endpoint === 'timeline') ? 'timeline' : 'post';

export function judgementWarnings(runs: readonly BenchRun[]): string[] {
  const warnings: string[] = [];
  const warmups = runs.map((r) => r.client.config.warmupSeconds).filter((s) => s < MIN_WARMUP_SECONDS);
  if (warmups.length > 0) {
    warnings.push(
      `Warm-up of ${list(warmups)} s before ${warmups.length} of ${runs.length} ladders (under ${MIN_WARMUP_SECONDS} s): ` +
        'their first steps ran on cold caches, connection pools and JIT, so latencies, capacities and the goals ' +
        'built on them can read worse than the service is.',
    );
  }
  const steps = runs.map((r) => r.client.config.stepSeconds).filter((s) => s < MIN_STEP_SECONDS);
  if (steps.length > 0) {
    warnings.push(
      `Steps of ${list(steps)} s in ${steps.length} of ${runs.length} ladders (under ${MIN_STEP_SECONDS} s): one ` +
        'pause of a few hundred milliseconds is a large share of such a step, so drops and p99 swing from step to ' +
        'step and a capacity or goal can be missed on noise alone.',
    );
  }
  const all = runs.flatMap((run) => run.client.steps.map((step) => ({ run, step })));
  const thin = all.filter(
    ({ run, step }) => (step.tags.find((t) => t.endpoint === mainEndpoint(run))?.count ?? 0) < MIN_STEP_REQUESTS,
  );
  if (thin.length > 0) {
    warnings.push(
      `${thin.length} of ${all.length} ladder steps measured fewer than ${MIN_STEP_REQUESTS.toLocaleString('en-US')} ` +
        'requests of their scenario’s main endpoint: their p99 rests on fewer than 10 requests, so the p99 limits ' +
        'and the goals judged from those steps are not a verdict on the service.',
    );
  }
  return warnings;
}

/**
 * Under this share of a core, the ceiling breaking its p99 limit while keeping up means the machine paused it: the
 * ceiling does nothing but the push read's Redis work, and in the runs committed here it kept its p99 up to 0.79-0.89
 * of a core where the host was quiet enough, and broke it at 0.47-0.64 where the host was in a slow phase (the same
 * code, the same ladder).
 */
export const PAUSED_HOST_MAX_CORES = 0.7;

/**
 * When the machine, not the servers, set the run's p99s: the ceiling missed its latency limit at a step it kept up
 * with on well under a core. Every run of the bench shares that machine, so its capacities (and their ratios) are
 * the host's pauses as much as the servers' work.
 */
export function hostWarnings(runs: readonly BenchRun[]): string[] {
  return runs.flatMap((run) => {
    const paused = run.target === 'ceiling' ? pausedStep(run) : undefined;
    if (!paused) return [];
    const share = `${Math.round(paused.cores * 100)} % of a core`;
    return [
      `The ceiling (a bare node:http server doing only the push read's Redis work) broke the ` +
        `${run.capacity.p99LimitMs} ms p99 limit at ${paused.rate.toLocaleString('en-US')}/s while it kept up on ` +
        `${share}: it keeps that limit to above ${Math.round(PAUSED_HOST_MAX_CORES * 100)} % of a core on a quiet ` +
        'machine, so this machine paused the processes (other tenants, a slow phase), the p99s and capacities of ' +
        'every ladder in this run include those pauses, and the capacity ratios are the host’s as much as the ' +
        'servers’.',
    ];
  });
}

/** The step at which the run first missed its p99 limit, if it kept up there on under PAUSED_HOST_MAX_CORES. */
function pausedStep(run: BenchRun): { rate: number; cores: number } | undefined {
  const { rate, sustained } = run.capacity;
  const steps = [...run.client.steps].sort((a, b) => a.targetRate - b.targetRate);
  const failed = steps.find((step) => rate === null || step.targetRate > rate);
  // A step it fell behind at (1 % or more dropped) is a limit of the server, not a pause of the host.
  if (!failed || sustained === null || failed.targetRate > sustained) return undefined;
  const cpu = run.serverCpu?.find((c) => c.step === failed.step);
  if (!cpu) return undefined;
  const cores = cpu.cpuSeconds / failed.durationSeconds;
  return cores < PAUSED_HOST_MAX_CORES ? { rate: failed.targetRate, cores } : undefined;
}
