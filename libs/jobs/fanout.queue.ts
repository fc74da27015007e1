import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { FANOUT_QUEUE, type FanoutJobName, type FanoutJobs } from './fanout.jobs.js';

/** Retries with exponential backoff (0.5 s, 1 s, 2 s … about 4 minutes in all) before a job counts as failed. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
};

/** Typed producer for the fan-out queue. */
@Injectable()
export class FanoutQueue {
  constructor(@InjectQueue(FANOUT_QUEUE) readonly queue: Queue) {}

  async add<N extends FanoutJobName>(name: N, data: FanoutJobs[N], jobId: string, opts: JobsOptions = {}) {
    return this.queue.add(name, data, { ...DEFAULT_JOB_OPTIONS, ...opts, jobId });
  }

  /** Many jobs of one name in one round trip; `opts` apply to all of them, each with its own id. */
  async addBulk<N extends FanoutJobName>(
    name: N,
    jobs: readonly { data: FanoutJobs[N]; jobId: string }[],
    opts: JobsOptions = {},
  ) {
    return this.queue.addBulk(
      jobs.map(({ data, jobId }) => ({ name, data, opts: { ...DEFAULT_JOB_OPTIONS, ...opts, jobId } })),
    );
  }

  async depths(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed', 'prioritized');
  }
}
