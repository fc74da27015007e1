import type { MailboxEntry } from '#libs/contract';

/**
 * The one place queue names, job names and payloads are defined; producers and processors import from here. The
 * queue's name belongs to the Redis layout that outside tools see (libs/contract), and is re-exported here.
 */
export { FANOUT_QUEUE } from '#libs/contract';

/** A post or a follow pair: what the events that move mailboxes carry. */
export interface PostPayload {
  postId: string;
  authorId: string;
}
export interface FollowPayload {
  followerId: string;
  followeeId: string;
}

/** The outbox's events: each change that moves mailboxes, committed with the change itself. */
export type DomainEvent =
  | { type: 'post.created'; payload: PostPayload }
  | { type: 'post.deleted'; payload: PostPayload }
  | { type: 'follow.created'; payload: FollowPayload }
  | { type: 'follow.removed'; payload: FollowPayload }
  | { type: 'flags.changed'; payload: { version: number } };
export type DomainEventType = DomainEvent['type'];
export type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
/** Every event type, checked complete by the compiler (a new type fails to compile until it is listed here). */
export const DOMAIN_EVENT_TYPES = Object.keys({
  'post.created': 1,
  'post.deleted': 1,
  'follow.created': 1,
  'follow.removed': 1,
  'flags.changed': 1,
} satisfies Record<DomainEventType, 1>) as DomainEventType[];

/** What every job may carry besides its payload: the id of the request it descends from (for its log lines). */
export interface Traced {
  requestId?: string;
}

export interface FanoutJobs {
  /** Turns one outbox event into mailbox work; completes (and marks the event delivered) after its batches. */
  'outbox-event': {
    eventId: string;
    event: DomainEvent;
    step?: 'plan' | 'wait';
    /** Set when planning fanned a post out: the author's follower count then (labels the delivery lag). */
    fannedOutTo?: number;
    /** The request that wrote the event (kept in its outbox row), when there was one. */
    requestId?: string;
  };
  /** Writes entries into the mailboxes of followers in the keyset range (afterFollowerId, throughFollowerId]. */
  'deliver-batch': {
    authorId: string;
    entries: MailboxEntry[];
    afterFollowerId: string | null;
    throughFollowerId: string | null;
    includeAuthor: boolean;
  };
  /**
   * Tells the mailboxes of followers in the range that the author entered pull mode (their posts are merged at read
   * time from now on).
   */
  'pull-mode-batch': {
    authorId: string;
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
/** Every job name, checked complete by the compiler; the worker refuses to start without a handler for each. */
export const FANOUT_JOB_NAMES = Object.keys({
  'outbox-event': 1,
  'deliver-batch': 1,
  'pull-mode-batch': 1,
  'mailbox-rebuild': 1,
  'rebuild-all': 1,
  'author-timeline-build': 1,
  'demote-author': 1,
} satisfies Record<FanoutJobName, 1>) as FanoutJobName[];

export const jobIds = {
  event: (eventId: string) => `evt-${eventId}`,
  batch: (eventId: string, index: number) => `evt-${eventId}-b${index}`,
  rebuild: (userId: string, epoch: number, round: string) => `rebuild-${userId}-e${epoch}-${round}`,
  demote: (authorId: string, pullVersion: number) => `demote-${authorId}-v${pullVersion}`,
  authorTimeline: (authorId: string) => `author-timeline-${authorId}`,
};
