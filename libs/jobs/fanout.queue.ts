import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '#libs/logging';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { withDeadline } from '#libs/errors';
import { failFastOnceReady } from '#libs/redis';
import type { JobsOptions, Queue } from 'bullmq';
import { FANOUT_QUEUE, jobIds, type FanoutJobName, type FanoutJobs, type Traced } from './fanout.jobs.js';

/**
 * Retries with exponential backoff (by default 0.5 s, 1 s, 2 s … about 4 minutes in all: FANOUT_RETRY_DELAY_MS) before
 * a job counts as failed.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
};

/**
 * Requests that nobody waits on: a failed one is dropped, so the same job id can be asked for again at once
 * (BullMQ ignores an add whose id is still in the failed set).
 */
const DROP_ON_FAIL: JobsOptions = { removeOnFail: true };

/**
 * A job carries the id of the request it descends from (the request in progress, or the worker's job that adds it),
 * unless it names one already (the relay's re-enqueued events carry their row's): its log lines can be found by it.
 */
function traced<T extends object>(data: T): T & Traced {
  const requestId = (data as Traced).requestId ?? RequestContext.requestId();
  return requestId === undefined ? data : { ...data, requestId };
}

/**
 * Typed producer for the fan-out queue: every job the product adds goes through here, with its id (which makes adding
 * it twice harmless) and its options decided in this one place. Calls made while a client waits (the requests below,
 * the queue's depth, the enqueue after a write: `withinRequestBudget`) wait at most REDIS_COMMAND_TIMEOUT_MS, as a
 * frozen Redis would hold them for as long as it lasts; one given up on may still complete later, which the job ids
 * make harmless. The worker's own calls (a big author's batch jobs, a rebuild of every mailbox) take what they take.
 */
@Injectable()
export class FanoutQueue {
  private readonly timeoutMs: number;
  private readonly jobOptions: JobsOptions;

  constructor(
    @InjectQueue(FANOUT_QUEUE) readonly queue: Queue,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.timeoutMs = config.timeouts.redisCommandMs;
    this.jobOptions = { ...DEFAULT_JOB_OPTIONS, backoff: { type: 'exponential', delay: config.fanoutRetryDelayMs } };
    // Connection errors while Redis is away surface on each call; as events they would only crash the process.
    queue.on('error', () => undefined);
    // BullMQ resolves its client once connected: from then on, a call while Redis is away fails at once.
    void queue
      .getBackend()
      .connection.client.then((client) =>
        failFastOnceReady(client as unknown as Parameters<typeof failFastOnceReady>[0]),
      )
      .catch(() => undefined);
  }

  async add<N extends FanoutJobName>(name: N, data: FanoutJobs[N], jobId: string, opts: JobsOptions = {}) {
    return this.queue.add(name, traced(data), { ...this.jobOptions, ...opts, jobId });
  }

  /** Many jobs of one name in one round trip; `opts` apply to all of them, each with its own id. */
  async addBulk<N extends FanoutJobName>(
    name: N,
    jobs: readonly { data: FanoutJobs[N]; jobId: string }[],
    opts: JobsOptions = {},
  ) {
    return this.queue.addBulk(
      jobs.map(({ data, jobId }) => ({ name, data: traced(data), opts: { ...this.jobOptions, ...opts, jobId } })),
    );
  }

  /** A reader found their mailbox missing, stale or being rebuilt: one rebuild per user and epoch. */
  async requestMailboxRebuild(userId: string, epoch: number): Promise<void> {
    await this.withinRequestBudget(
      this.add('mailbox-rebuild', { userId, epoch }, jobIds.rebuild(userId, epoch, 'lazy'), DROP_ON_FAIL),
    );
  }

  /** Rebuilds of many users at once (the admin's rebuild of every mailbox), under one round name. */
  async requestMailboxRebuilds(userIds: readonly string[], epoch: number, round: string): Promise<void> {
    await this.addBulk(
      'mailbox-rebuild',
      userIds.map((userId) => ({ data: { userId, epoch }, jobId: jobIds.rebuild(userId, epoch, round) })),
      DROP_ON_FAIL,
    );
  }

  /** The admin's "rebuild every mailbox"; the worker pages through the users. */
  async requestRebuildAll(requestedAt: number): Promise<void> {
    await this.withinRequestBudget(this.add('rebuild-all', { requestedAt }, `rebuild-all-${requestedAt}`));
  }

  /** Author timelines Redis lost, in one round trip. */
  async requestAuthorTimelines(authorIds: readonly string[]): Promise<void> {
    await this.withinRequestBudget(
      this.addBulk(
        'author-timeline-build',
        authorIds.map((authorId) => ({ data: { authorId }, jobId: jobIds.authorTimeline(authorId) })),
        DROP_ON_FAIL,
      ),
    );
  }

  /**
   * Not a child of any event: one demotion may be wanted by several events (a post, a flag change), and a job can
   * have only one parent. The id carries the pull version, so each version is demoted at most once.
   */
  async requestDemotion(authorId: string, pullVersion: number): Promise<void> {
    await this.add('demote-author', { authorId, pullVersion }, jobIds.demote(authorId, pullVersion));
  }

  /**
   * Where a job is: 'unknown' when the queue has no such job (never added, removed, or lost with Redis), else its
   * state ('waiting', 'active', 'delayed', 'waiting-children', 'prioritized', 'completed', 'failed').
   */
  async stateOf(jobId: string): Promise<string> {
    return this.queue.getJobState(jobId);
  }

  /** Removes a finished job (failed or completed) so its id can be added again. */
  async remove(jobId: string): Promise<void> {
    await this.queue.remove(jobId);
  }

  async depths(): Promise<Record<string, number>> {
    return this.withinRequestBudget(
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'failed', 'prioritized'),
    );
  }

  /** PING on the queue's own Redis connection (readiness). */
  async ping(): Promise<void> {
    const client = (await this.queue.getBackend().connection.client) as unknown as { ping(): Promise<string> };
    await client.ping();
  }

  /** Waits at most REDIS_COMMAND_TIMEOUT_MS for a queue call a client is waiting on. */
  withinRequestBudget<T>(call: Promise<T>): Promise<T> {
    return withDeadline(call, this.timeoutMs, 'the fan-out queue');
  }
}
