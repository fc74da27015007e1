import type { Stage } from '#libs/contract';
import { MetricsService } from '#libs/metrics';

/** Runs `run` and records its duration as a worker stage (HDR and Prometheus, µs). */
export async function timed<T>(
  metrics: MetricsService,
  stage: Stage,
  detail: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const result = await run();
  metrics.stage(stage, detail, (performance.now() - started) * 1000);
  return result;
}
