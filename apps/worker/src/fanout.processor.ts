import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import type { Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { FanoutFailures, FanoutRouter } from '#libs/fanout';
import { FANOUT_QUEUE, type FanoutJobs, type Traced } from '#libs/jobs';
import { RequestContext, ROOT_LOG, type RootLog } from '#libs/logging';

/**
 * The fan-out queue's consumer: each job goes to the router; what a job does lives in libs/fanout. It takes no job
 * before the whole application is initialised (the flags loaded, the scripts defined): jobs already queued when a
 * worker starts would otherwise meet providers that are not ready yet.
 */
@Processor(FANOUT_QUEUE, {
  autorun: false,
  // A killed worker's jobs are taken over once their lock expires: 10 s, checked every 5 s (BullMQ's defaults are 30 s
  // each, so up to a minute and a half). The price is a job blocked for more than 10 s counting as stalled and running
  // again elsewhere, which idempotent jobs absorb; no job here holds the event loop for anything like that long.
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 2,
})
export class FanoutProcessor extends WorkerHost implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('FanoutProcessor');

  constructor(
    private readonly router: FanoutRouter,
    private readonly failures: FanoutFailures,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOG) private readonly log: RootLog,
  ) {
    super();
  }

  onModuleInit(): void {
    this.worker.concurrency = this.config.fanoutConcurrency;
  }

  onApplicationBootstrap(): void {
    this.worker.run().catch((error: Error) => this.logger.error(`the fan-out worker stopped: ${error.message}`));
  }

  /**
   * Each job runs in the context of the request it descends from, so the jobs it adds carry that id too, and it ends
   * in one line (at LOG_LEVEL=log) with the id: `requestId` finds every job a post's request caused.
   */
  process(job: Job, token?: string): Promise<unknown> {
    return RequestContext.run((job.data as Traced).requestId, async () => {
      const started = performance.now();
      const result = await this.router.handle(job, token!);
      const ms = Math.round((performance.now() - started) * 100) / 100;
      this.log.info({ job: job.name, jobId: job.id, attempt: job.attemptsMade + 1, ms }, 'job done');
      return result;
    });
  }

  /** Redis going away is reported here (the worker reconnects by itself); unheard, the event would end the process. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn(`fan-out worker: ${error.message}`);
  }

  /**
   * Only once retries are used up does the event count as failed; until then it is pending. Recording the give-up
   * may fail too (PostgreSQL down is a common reason for retries to run out): that must not take the worker down, and
   * it strands nothing: the event stays undelivered, and the relay puts it back on the queue for another round.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const { requestId } = job.data as Traced;
    this.log.warn(
      { requestId, job: job.name, jobId: job.id, attempt: job.attemptsMade, error: error.message },
      'job failed',
    );
    if (job.name !== 'outbox-event' || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const { eventId } = job.data as FanoutJobs['outbox-event'];
    try {
      await this.failures.giveUp(eventId, error.message);
    } catch (failure) {
      this.logger.error(
        `could not record that event ${eventId} gave up (${(failure as Error).message}); the relay will enqueue it again`,
      );
    }
  }
}
