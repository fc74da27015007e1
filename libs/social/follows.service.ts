import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { ReadRouter } from '#libs/db';
import { FollowLimitError, ValidationFailedError } from '#libs/errors';
import { OutboxWriter } from '#libs/outbox';
import { FollowsRepository } from './follows.repository.js';
import { UsersService } from './users.service.js';

@Injectable()
export class FollowsService {
  constructor(
    private readonly follows: FollowsRepository,
    private readonly users: UsersService,
    private readonly outbox: OutboxWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reads: ReadRouter,
  ) {}

  /**
   * Idempotent: following twice changes nothing and emits no second event. At MAX_FOLLOWING accounts followed, a new
   * follow is FOLLOW_LIMIT (Twitter's limit was 5,000): each one more costs every read under pull, and the rebuild
   * of the follower's mailbox.
   */
  async follow(followerId: string, followeeId: string, requestId?: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    const changed = await this.outbox.commit(
      async (tx) => {
        const result = await this.follows.insert(tx, followerId, followeeId, this.config.maxFollowing);
        if (result === 'limit') {
          throw new FollowLimitError(`You follow ${this.config.maxFollowing} accounts, the most allowed.`);
        }
        return result === 'inserted' ? true : null;
      },
      () => ({ type: 'follow.created', payload: { followerId, followeeId } }),
      requestId,
    );
    // The follower's next timeline read must include the followee's posts: it waits for a replica that has this.
    if (changed) await this.reads.wrote(followerId);
  }

  async unfollow(followerId: string, followeeId: string, requestId?: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    const changed = await this.outbox.commit(
      async (tx) => ((await this.follows.delete(tx, followerId, followeeId)) ? true : null),
      () => ({ type: 'follow.removed', payload: { followerId, followeeId } }),
      requestId,
    );
    if (changed) await this.reads.wrote(followerId);
  }

  private async checkTarget(followerId: string, followeeId: string): Promise<void> {
    if (followerId === followeeId) {
      throw new ValidationFailedError(
        'You cannot follow yourself: your own posts are in your timeline already.',
        'SELF_FOLLOW',
      );
    }
    await this.users.requireExists(followeeId);
  }
}
