import type { INestApplicationContext } from '@nestjs/common';
import { closeOnStopSignals } from '#libs/lifecycle';
import { OutboxRelay } from '#libs/outbox';
import { FanoutProcessor } from './fanout.processor.js';

/**
 * SIGTERM for the worker: no new sweeps and no new jobs; the jobs running finish within the grace period, then
 * PostgreSQL and Redis close. A job still running when the grace period ends keeps its lock until it expires (at most
 * FanoutProcessor's lock duration), and then another worker takes it over: jobs are idempotent, so nothing is lost
 * or doubled either way.
 */
export function stopWorkerGracefully(app: INestApplicationContext, graceMs: number): void {
  closeOnStopSignals(
    graceMs,
    async () => {
      await app.get(OutboxRelay).stop();
      await app.get(FanoutProcessor).worker.close();
    },
    () => app.close(),
  );
}
