/**
 * Every Redis key of the product. A user's keys share the hash tag `{userId}` so one script can touch a user's
 * mailbox, following set and mailbox state together, on one node or on Redis Cluster.
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

  bullPrefix(): string {
    return `${this.prefix}:bull`;
  }
}

/** Connection options for BullMQ from a redis:// or rediss:// URL. */
export function redisOptionsFromUrl(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
