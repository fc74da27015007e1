/**
 * How many hash-tag groups users' and posts' keys are spread over (REDIS_SHARDS), unless configured otherwise. One
 * Redis holds every slot, so one group is the cheapest there (a fan-out's script covers any followers, a page's posts
 * are one MGET); a Redis Cluster wants several groups per master to spread keys and load (README, "Redis Cluster").
 */
export const DEFAULT_SHARDS = 1;

/** An id's shard: ids are decimal strings; those past 2^53 are reduced exactly. */
export function shardOf(id: string, shards: number): number {
  const n = Number(id);
  return Number.isSafeInteger(n) ? n % shards : Number(BigInt(id) % BigInt(shards));
}

/**
 * Every Redis key of the product. A user's keys (mailbox, following set, mailbox state, followed pull-mode authors,
 * author timeline) carry the hash tag of the user's shard, `{s<userId mod shards>}`, so one script can touch a user's
 * keys together on one node or on Redis Cluster, and a fan-out can write the mailboxes of every follower in one shard
 * with one script call (a shard is one cluster slot). More shards spread a cluster more evenly; fewer make fan-out
 * scripts cover more owners per call and a page's posts fewer MGETs. A post's cache entry carries its own shard's
 * tag, so a page's posts are read with one MGET per shard. Part of the contract because tools read and clean up a deployment's keys (the ceiling
 * server, the bench, the tests) and must name them as the product does.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    readonly shards: number = DEFAULT_SHARDS,
  ) {}

  /** The hash tag of a user's (or a post's) shard. */
  tag(id: string): string {
    return `{s${shardOf(id, this.shards)}}`;
  }

  /**
   * The part of a user's key before the user id, for a kind of key ('mb', 'ms', 'fw', 'pf'): a script that works on
   * many users of one slot builds their keys from it and their ids (prefix .. id is exactly that user's key).
   */
  userKeyPrefix(kind: 'mb' | 'ms' | 'fw' | 'pf', userId: string): string {
    return `${this.prefix}:${kind}:${this.tag(userId)}:`;
  }

  mailbox(userId: string): string {
    return `${this.prefix}:mb:${this.tag(userId)}:${userId}`;
  }

  following(userId: string): string {
    return `${this.prefix}:fw:${this.tag(userId)}:${userId}`;
  }

  mailboxState(userId: string): string {
    return `${this.prefix}:ms:${this.tag(userId)}:${userId}`;
  }

  /** The pull-mode authors a user follows (a superset: authors who left pull mode are dropped at read time). */
  pullFollowees(userId: string): string {
    return `${this.prefix}:pf:${this.tag(userId)}:${userId}`;
  }

  /** An author's recent posts (hybrid reads a celebrity's from here) and its state. */
  authorTimeline(authorId: string): string {
    return `${this.prefix}:at:${this.tag(authorId)}:${authorId}`;
  }

  authorTimelineState(authorId: string): string {
    return `${this.prefix}:ats:${this.tag(authorId)}:${authorId}`;
  }

  /**
   * The versions (`gen:version`) of the built author timelines of one shard, by author: a hybrid read checks every
   * followed celebrity of a shard with one plain HMGET here instead of a script looking at each one's state.
   */
  authorVersions(authorId: string): string {
    return `${this.prefix}:atv:${this.tag(authorId)}`;
  }

  post(postId: string): string {
    return `${this.prefix}:post:${this.tag(postId)}:${postId}`;
  }

  /** Pub/sub channels are not keys: a cluster delivers a message to every node's subscribers. */
  flagsChannel(): string {
    return `${this.prefix}:flags`;
  }

  /** A process's latest metrics snapshot (libs/metrics), and the index of processes; one slot, read together. */
  metricsSnapshot(processId: string): string {
    return `${this.prefix}:{metrics}:proc:${processId}`;
  }

  metricsIndex(): string {
    return `${this.prefix}:{metrics}:procs`;
  }

  /** Failed authentications from one client address in one window of time (libs/auth). */
  authFailures(address: string, window: number): string {
    return `${this.prefix}:authfail:${address}:${window}`;
  }

  /** Prefix of @fastify/rate-limit's counters (one key per client and window). */
  rateLimitPrefix(): string {
    return `${this.prefix}:rl:`;
  }

  /**
   * The rate limiter's name for a user's counter (after rateLimitPrefix()): tagged with the user's shard, so the
   * mailbox read can count the user's request in its own script (READ), on the counter the limiter keeps.
   */
  rateLimitUser(userId: string): string {
    return `u:${this.tag(userId)}:${userId}`;
  }

  /** A user's request counter: the key @fastify/rate-limit counts the user's requests on. */
  requestCounter(userId: string): string {
    return this.rateLimitPrefix() + this.rateLimitUser(userId);
  }

  /** BullMQ's keys, `<bullPrefix>:<queue name>:…`: one hash tag, so BullMQ's scripts stay in one slot (BullMQ's rule). */
  bullPrefix(): string {
    return `${this.prefix}:{bull}`;
  }
}

/** The BullMQ queue of fan-out jobs (under bullPrefix()); the bench pauses it to build a backlog to measure. */
export const FANOUT_QUEUE = 'fanout';
