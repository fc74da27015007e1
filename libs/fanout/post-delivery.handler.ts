import { Injectable } from '@nestjs/common';
import { FlagsRepository } from '#libs/flags';
import type { FanoutJobs, PostPayload } from '#libs/jobs';
import { SERIES } from '#libs/contract';
import { MetricsService } from '#libs/metrics';
import { PostsRepository } from '#libs/posts';
import { CelebrityPosts } from './celebrity-posts.service.js';
import { DONE, type BatchResult, type EventJob, type FanoutFamily, type Planned } from './fanout.family.js';
import { timed } from './fanout.timing.js';
import { FollowerBatches } from './follower.batches.js';
import { MailboxWriter } from './mailbox.writer.js';

/** A new post into its followers' mailboxes (and the author's own): inline for most authors, else in batch jobs. */
@Injectable()
export class PostDeliveryHandler implements FanoutFamily {
  readonly events: FanoutFamily['events'] = { 'post.created': (event, job) => this.plan(event.payload, job) };
  readonly jobs: FanoutFamily['jobs'] = { 'deliver-batch': (job) => this.deliverBatch(job.data) };

  constructor(
    private readonly posts: PostsRepository,
    private readonly flagsRepository: FlagsRepository,
    private readonly celebrities: CelebrityPosts,
    private readonly batches: FollowerBatches,
    private readonly writer: MailboxWriter,
    private readonly metrics: MetricsService,
  ) {}

  private async plan({ postId, authorId }: PostPayload, job: EventJob): Promise<Planned> {
    const author = await this.posts.fanoutFacts(postId);
    if (!author?.live) return DONE;
    const flags = await this.flagsRepository.read();
    const pulled = await this.celebrities.record(job, { postId, authorId }, author, flags);
    if (pulled) {
      this.metrics.count(SERIES.posts, 'pulled');
      return pulled;
    }
    this.metrics.count(SERIES.posts, 'pushed');
    const entries = [{ postId, authorId }];
    const planned = await this.batches.run(
      job,
      'deliver-batch',
      authorId,
      (range) => ({ ...range, authorId, entries }),
      (batch) => this.deliverBatch(batch),
      author.followersCount,
    );
    return { ...planned, fannedOutTo: author.followersCount };
  }

  /** A post deleted while this batch ran may land after its retraction; reads drop it (hydration knows). */
  private async deliverBatch(batch: FanoutJobs['deliver-batch']): Promise<BatchResult> {
    return timed(this.metrics, 'batch', 'deliver', async () => {
      await this.writer.deliver(await this.batches.owners(batch), batch.entries);
      return { finishedAt: Date.now() };
    });
  }
}
