/**
 * Every Redis key of the product. A user's keys share the hash tag `{userId}` so one script can touch a user's
 * mailbox, following set and mailbox state together, on one node or on Redis Cluster. Part of the contract because
 * tools read and clean up a deployment's keys (the ceiling server, the bench, the tests) and must name them as the
 * product does.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  mailbox(userId: string): string {
    return `${this.prefix}:mb:{${userId}}`;
  }

  following(userId: string): string {
    return `${this.prefix}:fw:{${userId}}`;
  }

  mailboxState(userId: string): string {
    return `${this.prefix}:ms:{${userId}}`;
  }

  /** An author's recent posts (hybrid reads a celebrity's from here) and its state; the author's hash tag. */
  authorTimeline(authorId: string): string {
    return `${this.prefix}:at:{${authorId}}`;
  }

  authorTimelineState(authorId: string): string {
    return `${this.prefix}:ats:{${authorId}}`;
  }

  post(postId: string): string {
    return `${this.prefix}:post:{${postId}}`;
  }

  flagsChannel(): string {
    return `${this.prefix}:flags`;
  }

  /** A process's latest metrics snapshot (libs/metrics), and the index of processes by publish time. */
  metricsSnapshot(processId: string): string {
    return `${this.prefix}:metrics:proc:${processId}`;
  }

  metricsIndex(): string {
    return `${this.prefix}:metrics:procs`;
  }

  /** BullMQ's keys: `<bullPrefix>:<queue name>:…`. */
  bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}

/** The BullMQ queue of fan-out jobs (under bullPrefix()); the bench pauses it to build a backlog to measure. */
export const FANOUT_QUEUE = 'fanout';
