import type { MailboxEntry } from '#libs/contract';

/**
 * The one place queue names, job names and payloads are defined; producers and processors import from here. The
 * queue's name belongs to the Redis layout that outside tools see (libs/contract), and is re-exported here.
 */
export { FANOUT_QUEUE } from '#libs/contract';

export type PostEvent = { type: 'post.created' | 'post.deleted'; payload: { postId: string; authorId: string } };
export type FollowEvent = {
  type: 'follow.created' | 'follow.removed';
  payload: { followerId: string; followeeId: string };
};
export type FlagsEvent = { type: 'flags.changed'; payload: { version: number } };
export type DomainEvent = PostEvent | FollowEvent | FlagsEvent;
export type DomainEventType = DomainEvent['type'];

export interface FanoutJobs {
  /** Turns one outbox event into mailbox work; completes (and marks the event delivered) after its batches. */
  'outbox-event': {
    eventId: string;
    event: DomainEvent;
    step?: 'plan' | 'wait';
    /** Set when planning fanned a post out: the author's follower count then (labels the delivery lag). */
    fannedOutTo?: number;
  };
  /** Writes entries into the mailboxes of followers in the keyset range (afterFollowerId, throughFollowerId]. */
  'deliver-batch': {
    authorId: string;
    entries: MailboxEntry[];
    afterFollowerId: string | null;
    throughFollowerId: string | null;
    includeAuthor: boolean;
  };
  /** Removes one post from the mailboxes of followers in the range (the post's author included). */
  'retract-batch': {
    authorId: string;
    entry: MailboxEntry;
    afterFollowerId: string | null;
    throughFollowerId: string | null;
    includeAuthor: boolean;
  };
  /** Recomputes one user's mailbox from PostgreSQL for the given epoch. */
  'mailbox-rebuild': { userId: string; epoch: number };
  /** Enqueues a rebuild for every user (admin). */
  'rebuild-all': { requestedAt: number };
  /** Builds an author's timeline in Redis from PostgreSQL (hybrid reads celebrities' recent posts from it). */
  'author-timeline-build': { authorId: string };
  /** Backfills a no-longer-celebrity author's recent posts to all followers, then clears their pull mode. */
  'demote-author': { authorId: string; pullVersion: number };
}

export type FanoutJobName = keyof FanoutJobs;
export const FANOUT_JOB_NAMES = [
  'outbox-event',
  'deliver-batch',
  'retract-batch',
  'mailbox-rebuild',
  'rebuild-all',
  'author-timeline-build',
  'demote-author',
] as const satisfies readonly FanoutJobName[];

export const jobIds = {
  event: (eventId: string) => `evt-${eventId}`,
  batch: (eventId: string, index: number) => `evt-${eventId}-b${index}`,
  rebuild: (userId: string, epoch: number, round: string) => `rebuild-${userId}-e${epoch}-${round}`,
  demote: (authorId: string, pullVersion: number) => `demote-${authorId}-v${pullVersion}`,
  authorTimeline: (authorId: string) => `author-timeline-${authorId}`,
};
