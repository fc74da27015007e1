import { Injectable } from '@nestjs/common';
import { PrismaService } from '#libs/db';
import { ValidationFailedError } from '#libs/errors';
import { OutboxRepository, OutboxService, type PendingEvent } from '#libs/outbox';
import { FollowsRepository } from './follows.repository.js';
import { UsersService } from './users.service.js';

@Injectable()
export class FollowsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly follows: FollowsRepository,
    private readonly users: UsersService,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxService,
  ) {}

  /** Idempotent: following twice changes nothing and emits no second event. */
  async follow(followerId: string, followeeId: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    const event = await this.prisma.$transaction(async (tx): Promise<PendingEvent | null> => {
      if (!(await this.follows.insert(tx, followerId, followeeId))) return null;
      const e = { type: 'follow.created', payload: { followerId, followeeId } } as const;
      return { eventId: await this.outbox.append(tx, e), event: e };
    });
    if (event) await this.dispatcher.dispatch([event]);
  }

  async unfollow(followerId: string, followeeId: string): Promise<void> {
    await this.checkTarget(followerId, followeeId);
    const event = await this.prisma.$transaction(async (tx): Promise<PendingEvent | null> => {
      if (!(await this.follows.delete(tx, followerId, followeeId))) return null;
      const e = { type: 'follow.removed', payload: { followerId, followeeId } } as const;
      return { eventId: await this.outbox.append(tx, e), event: e };
    });
    if (event) await this.dispatcher.dispatch([event]);
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
