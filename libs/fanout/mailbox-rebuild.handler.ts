import { Injectable } from '@nestjs/common';
import { FlagsRepository } from '#libs/flags';
import { MailboxStore } from '#libs/mailbox';
import { MetricsService } from '#libs/metrics';
import { PostsRepository } from '#libs/posts';
import { FollowsRepository } from '#libs/social';
import type { FanoutFamily } from './fanout.family.js';
import { timed } from './fanout.timing.js';

/** Tries of one rebuild job before it throws (see rebuild). */
export const REBUILD_ATTEMPTS = 3;

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
   * Replaces the mailbox with what PostgreSQL says (see attempt). A follow or a demotion landing during the rebuild
   * makes it start over at once, a few times, before the job throws to be retried later: such a race is expected
   * (a reader's first read queues a rebuild while their follow's sync job is queued too, and a worker started over
   * a backlog runs both at once), and one more try after it nearly always succeeds. Waiting out the job's backoff
   * instead left the reader on PostgreSQL for half a second and logged a failure for it.
   */
  async rebuild(userId: string): Promise<void> {
    for (let attempt = 1; attempt <= REBUILD_ATTEMPTS; attempt++) if (await this.attempt(userId)) return;
    throw new Error(
      `mailbox of user ${userId} changed during its rebuild ${REBUILD_ATTEMPTS} times in a row; rebuilding again`,
    );
  }

  /**
   * In order: reads are refused, the following set is written (from now on deliveries are checked against it and
   * kept), the newest posts are read, and the mailbox is replaced by them and what was delivered meanwhile. A post
   * committed after that read is delivered after the following set was written, so none is missed. False (nothing
   * replaced) if the user's follows changed meanwhile.
   */
  private async attempt(userId: string): Promise<boolean> {
    const flags = await this.flagsRepository.read();
    if (flags.strategy === 'pull') return true;
    const cap = flags.mailboxSize;
    const token = await this.mailbox.beginBuild(userId);
    const followees = await this.follows.followees(userId);
    const current = await this.mailbox.setFollowees(userId, token, followees.all, followees.pullMode);
    return (
      current &&
      this.mailbox.finishBuild(userId, {
        token,
        epoch: flags.mailboxEpoch,
        cap,
        entries: await this.posts.pullRefs(userId, cap + 1),
      })
    );
  }
}
