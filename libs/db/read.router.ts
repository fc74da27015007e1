import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '#libs/redis';
import type { Reader } from './pg.pool.js';
import { PrismaService } from './prisma.service.js';
import { ReplicaService } from './replica.service.js';

/**
 * How long a user's last write position is kept. Past it, the user's reads go to the replica whatever its lag: a
 * replica a minute behind is an incident to fix, not something to route around per user.
 */
const FENCE_TTL_SECONDS = 60;
/** How long an author-timeline build waits for the replica to replay what it must see, before reading the primary. */
const CATCH_UP_WAIT_MS = 250;
const CATCH_UP_POLL_MS = 10;

const WAL_POSITION = `SELECT (pg_current_wal_insert_lsn() - '0/0')::text AS lsn`;

/**
 * Decides which server answers a read (README, "Reads from a replica"). Without DATABASE_READ_URL everything is the
 * primary and nothing here costs anything.
 *
 * Read-your-own-writes: after a user's write commits, the primary's WAL position is recorded for that user in Redis
 * (shared by every API process). A read on behalf of that user goes to the replica only once the replica has replayed
 * past it; any other read goes to the replica at once, and may be a few milliseconds stale.
 */
@Injectable()
export class ReadRouter {
  private readonly logger = new Logger('ReadRouter');

  constructor(
    readonly primary: PrismaService,
    private readonly replica: ReplicaService,
    private readonly redis: RedisService,
  ) {}

  /**
   * The server for reads of a user's own data (their home timeline, their posts): decided on the first statement,
   * once for every statement made through the returned reader (one request's reads).
   */
  forUser(userId: string): Reader {
    if (!this.replica.configured) return this.primary;
    let chosen: Promise<Reader> | undefined;
    return {
      prepared: async <T extends object>(name: string, text: string, values: unknown[]) => {
        chosen ??= this.choose(userId);
        return (await chosen).prepared<T>(name, text, values);
      },
    };
  }

  /**
   * The server for a read that must see every commit made before it starts (an author-timeline build replaces what
   * Redis holds): the replica once it has replayed up to the primary's position now, waiting up to CATCH_UP_WAIT_MS,
   * else the primary.
   */
  async caughtUp(): Promise<Reader> {
    // Asked even when the replica is known to be down: that is what schedules the probe that brings it back.
    if ((await this.replica.replayed()) === null) return this.primary;
    const target = await this.position();
    const deadline = Date.now() + CATCH_UP_WAIT_MS;
    for (;;) {
      const replayed = await this.replica.replayed(true);
      if (replayed === null) return this.primary;
      if (replayed >= target) return this.replica;
      if (Date.now() >= deadline) return this.primary;
      await new Promise((resolve) => setTimeout(resolve, CATCH_UP_POLL_MS));
    }
  }

  /**
   * Records that `userId` wrote (call it after the commit, before answering): their reads stay on the primary until
   * the replica has replayed this far. Never throws: the write is committed, and failing the request would make the
   * client send it again. If this cannot be recorded, the user may see the replica's view for a few milliseconds.
   */
  async wrote(userId: string): Promise<void> {
    if (!this.replica.configured) return;
    try {
      const key = this.fenceKey(userId);
      // GT: of two writes of one user recorded out of order, the later position stays.
      const replies = await this.redis.client
        .pipeline()
        .zadd(key, 'GT', await this.position(), 'w')
        .expire(key, FENCE_TTL_SECONDS)
        .exec();
      const failed = replies?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } catch (error) {
      this.logger.warn(`the position of a write by ${userId} was not recorded: ${(error as Error).message}`);
    }
  }

  private async choose(userId: string): Promise<Reader> {
    const [replayed, fence] = await Promise.all([this.replica.replayed(), this.fence(userId)]);
    // No replica, or Redis cannot say whether the user wrote lately: the primary is right in every case.
    if (replayed === null || fence === undefined) return this.primary;
    if (fence === null || replayed >= fence) return this.replica;
    const now = await this.replica.replayed(true);
    return now !== null && now >= fence ? this.replica : this.primary;
  }

  /** The user's last recorded write position; null when none is recorded, undefined when Redis did not answer. */
  private async fence(userId: string): Promise<number | null | undefined> {
    try {
      const score = await this.redis.client.zscore(this.fenceKey(userId), 'w');
      return score === null ? null : Number(score);
    } catch {
      return undefined;
    }
  }

  /** Where the primary's WAL ends now: everything committed so far lies before it. */
  private async position(): Promise<number> {
    const [row] = await this.primary.prepared<{ lsn: string }>('wal-position', WAL_POSITION, []);
    return Number(row!.lsn);
  }

  /** One key per user, in the user's hash tag like their other keys (libs/contract/redis.keys.ts). */
  private fenceKey(userId: string): string {
    const keys = this.redis.keys;
    return `${keys.prefix}:wpos:${keys.tag(userId)}:${userId}`;
  }
}
