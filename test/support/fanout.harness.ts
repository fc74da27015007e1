import { randomUUID } from 'node:crypto';
import { Job, UnrecoverableError, WaitingChildrenError, Worker } from 'bullmq';
import { FanoutRouter } from '#libs/fanout';
import { FANOUT_QUEUE, FanoutQueue, jobIds, type FanoutJobName, type FanoutJobs } from '#libs/jobs';
import type { PendingEvent } from '#libs/outbox';
import { RedisKeys, redisOptionsFromUrl } from '#libs/redis';
import type { Services } from './services.harness.js';

export type Outcome = 'completed' | 'waiting-children' | 'failed';

/**
 * Runs fan-out jobs the way the worker's processor does (FanoutRouter.handle), on jobs of the real queue, without a
 * running Worker: inline work needs only a real Job; work that waits for child jobs needs an active job and its
 * lock token, which `next()` takes the way a worker does (BullMQ's manual processing).
 */
export class FanoutHarness {
  readonly queue: FanoutQueue;
  readonly router: FanoutRouter;
  private manual?: Worker;

  constructor(private readonly services: Services) {
    this.queue = services.get(FanoutQueue);
    this.router = services.get(FanoutRouter);
  }

  /** Adds the job to the queue as a producer would, hands it to the router, and takes it off the queue again. */
  async run<N extends FanoutJobName>(name: N, data: FanoutJobs[N], jobId = `${name}-${randomUUID()}`) {
    const job = await this.queue.add(name, data, jobId);
    try {
      return await this.router.handle(job, 'inline');
    } finally {
      await job.remove();
    }
  }

  /** One outbox event's job, with the id the dispatcher gives it. */
  async runEvent({ eventId, event }: PendingEvent) {
    return this.run('outbox-event', { eventId, event }, jobIds.event(eventId));
  }

  /** Adds an event's job for `next()` to take (the fast path's enqueue). */
  async enqueueEvent({ eventId, event }: PendingEvent): Promise<void> {
    await this.queue.add('outbox-event', { eventId, event }, jobIds.event(eventId));
  }

  /** The next waiting job, moved to active with a lock token as a worker takes it; undefined when none waits. */
  async next(): Promise<{ job: Job; token: string } | undefined> {
    const token = randomUUID();
    const job = (await this.worker().getNextJob(token, { block: false })) as Job | undefined;
    return job ? { job, token } : undefined;
  }

  /**
   * Processes an active job as the worker would: its result completes it, WaitingChildrenError parks it until its
   * children are done, any other error fails it (retried while attempts remain, as BullMQ decides).
   */
  async process({ job, token }: { job: Job; token: string }): Promise<Outcome> {
    try {
      const result = await this.router.handle(job, token);
      await job.moveToCompleted(result, token, false);
      return 'completed';
    } catch (error) {
      if (error instanceof WaitingChildrenError) return 'waiting-children';
      await job.moveToFailed(error as Error, token, false);
      return 'failed';
    }
  }

  /** Fails an active job for good, as a worker does once its attempts are used up. */
  async failForGood({ job, token }: { job: Job; token: string }, reason: string): Promise<void> {
    await job.moveToFailed(new UnrecoverableError(reason), token, false);
  }

  /** Takes and processes waiting jobs until none is left; returns the ids processed, in order. */
  async drainThroughRouter(): Promise<string[]> {
    const seen: string[] = [];
    for (let next = await this.next(); next; next = await this.next()) {
      seen.push(next.job.id!);
      await this.process(next);
    }
    return seen;
  }

  /** Ids of the jobs waiting in the queue (optionally of one name), oldest first. */
  async waitingIds(name?: FanoutJobName): Promise<string[]> {
    const jobs = await this.queue.queue.getJobs(['waiting', 'prioritized'], 0, -1, true);
    return jobs.filter((j) => !name || j.name === name).map((j) => j.id!);
  }

  /** Removes every waiting and delayed job, so a test starts from an empty queue. */
  async empty(): Promise<void> {
    await this.queue.queue.drain(true);
  }

  async close(): Promise<void> {
    await this.manual?.close();
  }

  private worker(): Worker {
    const { config } = this.services;
    this.manual ??= new Worker(FANOUT_QUEUE, null, {
      connection: redisOptionsFromUrl(config.redisUrl),
      prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
      autorun: false,
    });
    return this.manual;
  }
}
