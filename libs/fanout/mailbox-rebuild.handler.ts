import { Injectable } from '@nestjs/common';
import { FlagsRepository } from '#libs/flags';
import { MailboxStore } from '#libs/mailbox';
import { MetricsService } from '#libs/metrics';
import { PostsRepository } from '#libs/posts';
import { FollowsRepository } from '#libs/social';
import type { FanoutFamily } from './fanout.family.js';
import { timed } from './fanout.timing.js';

/** One user's mailbox recomputed from PostgreSQL: after a new epoch, a lost Redis, or when a reader found it stale. */
@Injectable()
export class MailboxRebuildHandler implements FanoutFamily {
  readonly jobs: FanoutFamily['jobs'] = {
    'mailbox-rebuild': (job) => timed(this.metrics, 'rebuild', 'mailbox', () => this.rebuild(job.data.userId)),
  };

  constructor(
    private readonly flagsRepository: FlagsRepository,
    private readonly mailbox: MailboxStore,
    private readonly follows: FollowsRepository,
    private readonly posts: PostsRepository,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Replaces the mailbox with what PostgreSQL says. In order: reads are refused, the following set is written (from
   * now on deliveries are checked against it and kept), the newest posts are read, and the mailbox is replaced by
   * them and what was delivered meanwhile. A post committed after that read is delivered after the following set was
   * written, so none is missed. Throws (to retry) if the user's follows changed meanwhile.
   */
  async rebuild(userId: string): Promise<void> {
    const flags = await this.flagsRepository.read();
    if (flags.strategy === 'pull') return;
    const cap = flags.mailboxSize;
    const token = await this.mailbox.beginBuild(userId);
    const followees = await this.follows.followees(userId);
    const current = await this.mailbox.setFollowees(userId, token, followees.all, followees.pullMode);
    const built =
      current &&
      (await this.mailbox.finishBuild(userId, {
        token,
        epoch: flags.mailboxEpoch,
        cap,
        entries: await this.posts.pullRefs(userId, cap + 1),
      }));
    if (!built) throw new Error(`mailbox of user ${userId} changed during its rebuild; rebuilding again`);
  }
}
