import { Injectable, Logger } from '@nestjs/common';
import { fansOut, FlagsRepository } from '#libs/flags';
import { PostsRepository } from '#libs/posts';
import { PullModeRepository } from '#libs/social';
import { DONE, type FanoutFamily, type Planned } from './fanout.family.js';
import { floorOf } from './fanout.plan.js';
import { FollowerBatches } from './follower.batches.js';
import { MailboxWriter } from './mailbox.writer.js';
import { PullModeService } from './pull-mode.service.js';

/**
 * Demotion: an author in pull mode who is fanned out again (threshold raised, strategy push, followers lost) has their
 * recent posts backfilled to every follower, and only then leaves pull mode, so no reader ever sees a hole.
 */
@Injectable()
export class DemotionHandler implements FanoutFamily {
  private readonly logger = new Logger('Demotion');
  readonly events: FanoutFamily['events'] = { 'flags.changed': () => this.planDemotions() };
  readonly jobs: FanoutFamily['jobs'] = {
    'demote-author': (job) => this.demote(job.data.authorId, job.data.pullVersion),
  };

  constructor(
    private readonly flagsRepository: FlagsRepository,
    private readonly authors: PullModeRepository,
    private readonly posts: PostsRepository,
    private readonly batches: FollowerBatches,
    private readonly writer: MailboxWriter,
    private readonly pullMode: PullModeService,
  ) {}

  /** A flag change may make pull-mode authors fan out again: each of them is demoted. */
  private async planDemotions(): Promise<Planned> {
    const flags = await this.flagsRepository.read();
    for (const author of await this.authors.authors()) {
      if (fansOut(flags, author.followersCount)) await this.pullMode.requestDemotion(author.id, author.pullVersion);
    }
    return DONE;
  }

  private async demote(authorId: string, pullVersion: number): Promise<void> {
    const flags = await this.flagsRepository.read();
    const author = await this.authors.state(authorId);
    if (!author?.pullMode || author.pullVersion !== pullVersion || !fansOut(flags, author.followersCount)) return;
    const entries = await this.posts.recentRefs(authorId, flags.mailboxSize);
    const floor = floorOf(entries, flags.mailboxSize);
    for (const range of await this.batches.ranges(authorId, flags.fanoutBatchSize)) {
      const owners = await this.batches.owners({ authorId, ...range });
      await this.writer.deliver(owners, entries, { kind: 'demote', cap: flags.mailboxSize, floor });
    }
    if (await this.pullMode.leave(authorId, pullVersion)) {
      this.logger.log(`author ${authorId} left pull mode after backfilling ${entries.length} post(s)`);
    }
  }
}
