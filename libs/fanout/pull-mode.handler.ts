import { Injectable } from '@nestjs/common';
import type { FanoutJobs } from '#libs/jobs';
import { MailboxStore } from '#libs/mailbox';
import { MetricsService } from '#libs/metrics';
import type { BatchResult, EventJob, FanoutFamily, Planned } from './fanout.family.js';
import { timed } from './fanout.timing.js';
import { FollowerBatches } from './follower.batches.js';

/**
 * An author who enters pull mode is announced to every follower's mailbox (its set of followed pull-mode authors),
 * once per entry into pull mode, in batches like a post: a hybrid read then merges the author's recent posts by
 * reading only what the reader follows, never every pull-mode author in the system.
 */
@Injectable()
export class PullModeHandler implements FanoutFamily {
  readonly jobs: FanoutFamily['jobs'] = { 'pull-mode-batch': (job) => this.announceBatch(job.data) };

  constructor(
    private readonly batches: FollowerBatches,
    private readonly mailbox: MailboxStore,
    private readonly metrics: MetricsService,
  ) {}

  /** The event that put the author in pull mode completes once every follower's mailbox knows. */
  announce(job: EventJob, authorId: string, followers: number): Promise<Planned> {
    return this.batches.run(
      job,
      'pull-mode-batch',
      authorId,
      (range) => ({ ...range, authorId }),
      (batch) => this.announceBatch(batch),
      followers,
    );
  }

  private async announceBatch(batch: FanoutJobs['pull-mode-batch']): Promise<BatchResult> {
    return timed(this.metrics, 'batch', 'pull-mode', async () => {
      await this.mailbox.addPullAuthor(await this.batches.owners(batch), batch.authorId);
      return { finishedAt: Date.now() };
    });
  }
}
