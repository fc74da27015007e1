import { Injectable } from '@nestjs/common';
import { FlagsService } from '#libs/flags';
import type { FollowPayload } from '#libs/jobs';
import { MailboxStore } from '#libs/mailbox';
import { PostsRepository } from '#libs/posts';
import { FollowsRepository } from '#libs/social';
import { DONE, type FanoutFamily, type Planned } from './fanout.family.js';
import { floorOf } from './fanout.plan.js';

/** Rounds after which a pair that keeps flipping is retried as a job instead of chased here. */
const MAX_ROUNDS = 5;

/** Follow backfills the followee's recent posts into the follower's mailbox; unfollow takes them out. */
@Injectable()
export class FollowSyncHandler implements FanoutFamily {
  readonly events: FanoutFamily['events'] = {
    'follow.created': (event) => this.sync(event.payload),
    'follow.removed': (event) => this.sync(event.payload),
  };

  constructor(
    private readonly follows: FollowsRepository,
    private readonly mailbox: MailboxStore,
    private readonly posts: PostsRepository,
    private readonly flags: FlagsService,
  ) {}

  /**
   * Follow and unfollow events of one pair may run in any order (parallel workers, retries, the sweep), so each
   * applies what PostgreSQL says now, and checks again afterwards: whichever handler runs last applies the last state.
   * The followee's pull mode is part of that state: an author who entered pull mode while this ran is announced to
   * their followers by the pull-mode batches, which read the follow after it committed, or found here.
   */
  private async sync({ followerId, followeeId }: FollowPayload): Promise<Planned> {
    let state = await this.follows.state(followerId, followeeId);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (state.following) await this.backfill(followerId, followeeId, state.followeePullMode);
      else await this.mailbox.retractAuthor(followerId, followeeId);
      const now = await this.follows.state(followerId, followeeId);
      if (now.following === state.following && now.followeePullMode === state.followeePullMode) return DONE;
      state = now;
    }
    throw new Error(`follow ${followerId}>${followeeId} kept changing; retrying`);
  }

  /**
   * Order matters: accept the followee's deliveries first (and, for a pull-mode followee, merge their posts at read
   * time), then copy what was posted before.
   */
  private async backfill(followerId: string, followeeId: string, pullMode: boolean): Promise<void> {
    if (!(await this.mailbox.addFollowee(followerId, followeeId, pullMode))) return;
    const { mailboxSize } = this.flags.current().flags;
    const entries = await this.posts.recentRefs(followeeId, mailboxSize);
    await this.mailbox.deliver([followerId], entries, mailboxSize, floorOf(entries, mailboxSize));
  }
}
