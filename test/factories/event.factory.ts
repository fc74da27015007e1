import type { DomainEvent } from '#libs/jobs';
import type { PendingEvent } from '#libs/outbox';
import { db } from './factory.context.js';
import type { TestPost } from './post.factory.js';
import type { TestUser } from './user.factory.js';

/**
 * An outbox row as the app writes it in the transaction of its change (the change itself is made with the other
 * factories): `anEvent(postCreated(post)).create()`, `.enqueuedAt(date)`, `.delivered()`, `.failed()`.
 */
export class EventBuilder {
  private enqueued: Date | null = null;
  private state: 'pending' | 'delivered' | 'failed' = 'pending';

  constructor(private readonly event: DomainEvent) {}

  /** Default: never enqueued (the API's fast path did not happen). */
  enqueuedAt(at: Date): this {
    this.enqueued = at;
    return this;
  }

  delivered(): this {
    this.state = 'delivered';
    return this;
  }

  failed(): this {
    this.state = 'failed';
    return this;
  }

  async create(): Promise<PendingEvent> {
    const row = await db().outboxEvent.create({
      data: {
        type: this.event.type,
        payload: this.event.payload as object,
        enqueuedAt: this.enqueued,
        deliveredAt: this.state === 'delivered' ? new Date() : null,
        failedAt: this.state === 'failed' ? new Date() : null,
        lastError: this.state === 'failed' ? 'failed in a factory' : null,
      },
      select: { id: true },
    });
    return { eventId: row.id.toString(), event: this.event };
  }
}

export const anEvent = (event: DomainEvent) => new EventBuilder(event);

export const postCreated = (post: TestPost): DomainEvent => ({
  type: 'post.created',
  payload: { postId: post.id, authorId: post.authorId },
});
export const postDeleted = (post: TestPost): DomainEvent => ({
  type: 'post.deleted',
  payload: { postId: post.id, authorId: post.authorId },
});
export const followCreated = (follower: TestUser, followee: TestUser): DomainEvent => ({
  type: 'follow.created',
  payload: { followerId: follower.id, followeeId: followee.id },
});
export const followRemoved = (follower: TestUser, followee: TestUser): DomainEvent => ({
  type: 'follow.removed',
  payload: { followerId: follower.id, followeeId: followee.id },
});

/** An outbox row's delivery state now. */
export async function eventRow(eventId: string) {
  return db().outboxEvent.findUniqueOrThrow({
    where: { id: BigInt(eventId) },
    select: { type: true, payload: true, enqueuedAt: true, deliveredAt: true, failedAt: true, lastError: true },
  });
}
