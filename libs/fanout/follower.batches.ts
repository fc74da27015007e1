import { Injectable } from '@nestjs/common';
import { FanoutQueue, jobIds, type FanoutJobs } from '#libs/jobs';
import { FlagsService } from '#libs/flags';
import { FollowsRepository } from '#libs/social';
import type { BatchResult, EventJob, Planned } from './fanout.family.js';
import { followerRanges, type FollowerRange } from './fanout.plan.js';

type BatchJobName = 'deliver-batch' | 'pull-mode-batch';

/** An author's followers cut into keyset ranges, and the owners (followers, maybe the author) of one range. */
@Injectable()
export class FollowerBatches {
  constructor(
    private readonly follows: FollowsRepository,
    private readonly queue: FanoutQueue,
    private readonly flags: FlagsService,
  ) {}

  /**
   * One batch is written here and now (retried with the event if it throws); several become child jobs of the
   * event, which completes once they all have. `followers`, when known, spares numbering a small author's followers.
   */
  async run<N extends BatchJobName>(
    job: EventJob,
    name: N,
    authorId: string,
    data: (range: FollowerRange) => FanoutJobs[N],
    inline: (batch: FanoutJobs[N]) => Promise<BatchResult>,
    followers?: number,
  ): Promise<Planned> {
    const { fanoutBatchSize } = this.flags.current().flags;
    // Fewer followers than a batch (most authors): one open range, without numbering them first. A count grown
    // meanwhile only makes that batch larger.
    const ranges =
      followers !== undefined && followers < fanoutBatchSize
        ? followerRanges([])
        : await this.ranges(authorId, fanoutBatchSize);
    if (ranges.length === 1) return { children: false, finishedAt: (await inline(data(ranges[0]!))).finishedAt };
    await this.queue.addBulk(
      name,
      // At the head of the queue (lifo), not behind every event queued since: a post's followers get it before later
      // posts, so mailboxes receive posts nearly in order. Queued last, a big author's batches waited behind a whole
      // backlog, and their posts landed in mailboxes that had settled hundreds of newer ones since: each such
      // straggler costs the settle a binary search or a rewrite of the list instead of a place in the merged top.
      // Added last first, so the first range ends at the head and the batches still run in order.
      ranges.map((range, index) => ({ data: data(range), jobId: jobIds.batch(job.data.eventId, index) })).reverse(),
      { parent: { id: job.id!, queue: job.queueQualifiedName }, ignoreDependencyOnFailure: true, lifo: true },
    );
    return { children: true };
  }

  async ranges(authorId: string, batchSize: number): Promise<FollowerRange[]> {
    return followerRanges(await this.follows.batchBounds(authorId, batchSize));
  }

  /** The mailboxes one range writes: the followers in it, and the author's own with the first range. */
  async owners(batch: FollowerRange & { authorId: string }): Promise<string[]> {
    const followers = await this.follows.followersInRange(
      batch.authorId,
      batch.afterFollowerId,
      batch.throughFollowerId,
    );
    return batch.includeAuthor ? [batch.authorId, ...followers] : followers;
  }
}
