import type { Job } from 'bullmq';
import { FanoutRouter } from '#libs/fanout';
import { FanoutQueue, type FanoutJobs } from '#libs/jobs';
import type { Interleaver } from './race.scheduler.js';
import type { Services } from './services.harness.js';

/** As many attempts as the product's jobs get (DEFAULT_JOB_OPTIONS); a job that uses them all fails the run. */
const ATTEMPTS = 10;

/**
 * Runs the fan-out jobs the product enqueues as a worker would (FanoutRouter.handle), each in a task of the
 * interleaver. Jobs still go to the real queue (ids, deduplication and removal are BullMQ's): the producer is watched
 * to learn of each job as it is added, which spares a scan of the queue at every step.
 */
export class RaceJobs {
  private added: Job[] = [];
  /** Ids of jobs taken and not finished: BullMQ does not add a job whose id it holds. */
  private taken = new Set<string>();
  /** Failed jobs waiting out their backoff: due once the others made that many steps. */
  private retries: { job: Job; attempt: number; due: number }[] = [];

  constructor(
    private readonly services: Services,
    private readonly interleaver: Interleaver,
    private readonly describe: (arg: unknown) => string,
  ) {
    const queue = services.get(FanoutQueue);
    const add = queue.add.bind(queue);
    const addBulk = queue.addBulk.bind(queue);
    queue.add = async (...args) => {
      const job = await add(...args);
      this.added.push(job);
      return job;
    };
    queue.addBulk = async (...args) => {
      const jobs = await addBulk(...args);
      this.added.push(...jobs);
      return jobs;
    };
  }

  async reset(): Promise<void> {
    await this.services.get(FanoutQueue).queue.drain(true);
    this.added = [];
    this.taken.clear();
    this.retries = [];
  }

  /**
   * Starts a task for every job added since, and for the retries whose backoff is over; when nothing else is left to
   * run, for the retry due first. The interleaver calls it whenever every task is parked.
   */
  async pump(): Promise<void> {
    const fresh = this.take();
    for (const job of fresh) this.interleaver.spawn(this.nameOf(job), () => this.attempt(job, 1));
    this.retries.sort((a, b) => a.due - b.due);
    const idle = fresh.length === 0 && this.interleaver.parked() === 0;
    const due = this.retries.filter((r, i) => r.due <= this.interleaver.picks || (idle && i === 0));
    this.retries = this.retries.filter((r) => !due.includes(r));
    for (const { job, attempt } of due) {
      this.interleaver.spawn(`${this.nameOf(job)} (attempt ${attempt})`, () => this.attempt(job, attempt));
    }
  }

  /** Runs the jobs added since, one after another, each retried at once; false when there were none. */
  async runAlone(): Promise<boolean> {
    const jobs = this.take();
    for (const job of jobs) {
      let attempt = 1;
      while (!(await this.tryOnce(job, attempt))) attempt++;
    }
    return jobs.length > 0;
  }

  /**
   * One attempt in a task. A job that throws is retried after a backoff, as BullMQ retries it: here once the other
   * tasks made 2^attempt steps. (Retried at once, rebuilds of one mailbox could take over from each other forever,
   * which BullMQ's exponential backoff prevents.)
   */
  private async attempt(job: Job, attempt: number): Promise<void> {
    if (await this.tryOnce(job, attempt)) return;
    this.retries.push({ job, attempt: attempt + 1, due: this.interleaver.picks + 2 ** attempt });
  }

  /** True when the job succeeded (and is gone from the queue); throws once its attempts are used up. */
  private async tryOnce(job: Job, attempt: number): Promise<boolean> {
    try {
      await this.services.get(FanoutRouter).handle(job, 'inline');
    } catch (error) {
      if (attempt >= ATTEMPTS) throw new Error(`${this.nameOf(job)} failed ${attempt} times: ${String(error)}`);
      return false;
    }
    await job.remove();
    this.taken.delete(job.id!);
    return true;
  }

  /** Jobs added since the last call, but none whose id is taken already (BullMQ did not add it again). */
  private take(): Job[] {
    return this.added.splice(0).filter((job) => !this.taken.has(job.id!) && this.taken.add(job.id!));
  }

  private nameOf(job: Job): string {
    if (job.name !== 'outbox-event') return `${job.name} ${this.describe(job.data)}`;
    const { eventId, event } = job.data as FanoutJobs['outbox-event'];
    return `${event.type}#${eventId} ${this.describe(event.payload)}`;
  }
}
