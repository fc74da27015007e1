import { Injectable } from '@nestjs/common';
import type { FanoutJobs, PostPayload } from '#libs/jobs';
import { MetricsService } from '#libs/metrics';
import { PostCacheStore } from '#libs/posts';
import { AuthorTimelineHandler } from './author-timeline.handler.js';
import type { BatchResult, EventJob, FanoutFamily, Planned } from './fanout.family.js';
import { timed } from './fanout.timing.js';
import { FollowerBatches } from './follower.batches.js';
import { MailboxWriter } from './mailbox.writer.js';

/** A deleted post out of the post cache, its author's timeline and every follower's mailbox. */
@Injectable()
export class RetractionHandler implements FanoutFamily {
  readonly events: FanoutFamily['events'] = { 'post.deleted': (event, job) => this.plan(event.payload, job) };
  readonly jobs: FanoutFamily['jobs'] = { 'retract-batch': (job) => this.retractBatch(job.data) };

  constructor(
    private readonly postCache: PostCacheStore,
    private readonly authorTimelines: AuthorTimelineHandler,
    private readonly batches: FollowerBatches,
    private readonly writer: MailboxWriter,
    private readonly metrics: MetricsService,
  ) {}

  private async plan(post: PostPayload, job: EventJob): Promise<Planned> {
    await this.postCache.markDeleted([post.postId]);
    await this.authorTimelines.retract(post);
    const entry = { postId: post.postId, authorId: post.authorId };
    return this.batches.run(
      job,
      'retract-batch',
      post.authorId,
      (range) => ({ ...range, authorId: post.authorId, entry }),
      (batch) => this.retractBatch(batch),
    );
  }

  private async retractBatch(batch: FanoutJobs['retract-batch']): Promise<BatchResult> {
    return timed(this.metrics, 'batch', 'retract', async () => {
      await this.writer.retract(await this.batches.owners(batch), batch.entry);
      return { finishedAt: Date.now() };
    });
  }
}
