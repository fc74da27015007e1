import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '#libs/errors';
import { OutboxWriter } from '#libs/outbox';
import { FollowsRepository } from './follows.repository.js';
import { UsersService } from './users.service.js';

@Injectable()
export class FollowsService {
  constructor(
    private readonly follows: FollowsRepository,
    private readonly users: UsersService,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Idempotent: following twice changes nothing and emits no second event. */
  async follow(followerId: string, followeeId: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    await this.outbox.commit(
      async (tx) => ((await this.follows.insert(tx, followerId, followeeId)) ? true : null),
      () => ({ type: 'follow.created', payload: { followerId, followeeId } }),
    );
  }

  async unfollow(followerId: string, followeeId: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    await this.outbox.commit(
      async (tx) => ((await this.follows.delete(tx, followerId, followeeId)) ? true : null),
      () => ({ type: 'follow.removed', payload: { followerId, followeeId } }),
    );
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
