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
