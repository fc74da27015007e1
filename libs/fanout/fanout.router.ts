import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { FANOUT_JOB_NAMES, type FanoutJobName } from '#libs/jobs';
import { MetricsService } from '#libs/metrics';
import { collect, FANOUT_FAMILIES, type FanoutFamily, type JobHandler } from './fanout.family.js';
import { OutboxEventHandler } from './outbox-event.handler.js';

/**
 * Routes each fan-out job to its family's handler. Built at start-up from every family, it refuses to start when a
 * job name has no handler (or two), so a job can never be taken by a worker that does not know it.
 */
@Injectable()
export class FanoutRouter {
  private readonly handlers: { [N in FanoutJobName]: JobHandler<N> };

  constructor(
    @Inject(FANOUT_FAMILIES) families: FanoutFamily[],
    outboxEvents: OutboxEventHandler,
    private readonly metrics: MetricsService,
  ) {
    const own: FanoutFamily['jobs'] = { 'outbox-event': (job, token) => outboxEvents.handle(job, token) };
    this.handlers = collect('job', FANOUT_JOB_NAMES, [own, ...families.map((f) => f.jobs)]) as {
      [N in FanoutJobName]: JobHandler<N>;
    };
  }

  async handle(job: Job, token: string): Promise<unknown> {
    const handler = this.handlers[job.name as FanoutJobName] as JobHandler<FanoutJobName> | undefined;
    if (!handler) throw new Error(`Unknown fan-out job "${job.name}"`);
    // An event job resumed after its children is not a queue wait.
    const resumed = job.name === 'outbox-event' && (job.data as { step?: string }).step === 'wait';
    if (job.attemptsMade === 0 && !resumed)
      this.metrics.stage('job_wait', job.name, (Date.now() - job.timestamp) * 1000);
    return handler(job as Job<never>, token);
  }
}
