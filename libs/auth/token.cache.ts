import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { TokensRepository } from './tokens.repository.js';

const CACHE_LIMIT = 50_000;
/** How soon a deleted token stops working in every API process. */
export const TOKEN_RECHECK_MS = 1000;
/**
 * A deleting transaction's rows are dated when it writes them and seen once it commits: each poll reads this much
 * further back than its last one, so a transaction up to this slow to commit is still seen.
 */
const OVERLAP_MS = 30_000;
/** Revocations are kept this long. A process that could not poll for half of it starts its cache afresh. */
export const REVOCATION_RETENTION_MS = 24 * 3600_000;
/** Polls between two prunes of old revocations (any process may prune; doing it twice is harmless). */
const PRUNE_EVERY = 600;

/**
 * Tokens this process has verified, so a request costs no query, bounded in size. Once a second the tokens deleted
 * since the last look (the trigger on `tokens` records each one, whatever deleted it) are dropped: a revoked token
 * stops working within about a second, for one small indexed query whatever the cache holds. (Looking every cached
 * token up again instead cost one query per 5,000 tokens a second, and blocked the event loop while it built them.)
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TokenCache');
  /** Key: the token's SHA-256 in base64; value: the user id. */
  private readonly entries = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private checking = false;
  /** When the last poll that succeeded started, on this process's clock: the next one reads back to it. */
  private polledAt = Date.now();
  private polls = 0;
  /** The last TRUNCATE this process has applied (the id of its revocation row). */
  private truncatedThrough = 0n;

  constructor(private readonly tokens: TokensRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.dropRevoked(), TOKEN_RECHECK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The user of a token, by its digest (tokenDigest: the SHA-256 in base64), if this process verified it. */
  get(digest: string): string | undefined {
    return this.entries.get(digest);
  }

  set(digest: string, userId: string): void {
    // The oldest entry goes first: Map iterates in insertion order.
    if (this.entries.size >= CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest, userId);
  }

  /**
   * Drops the cached tokens deleted since the last poll that got through (and a margin before it). Skipped while one
   * is under way; while PostgreSQL is away the next poll reads back further, unless that is beyond what is kept.
   */
  async dropRevoked(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    const started = Date.now();
    try {
      const since = started - this.polledAt;
      if (since > REVOCATION_RETENTION_MS / 2) {
        this.entries.clear();
        this.logger.warn('token revocations not read for too long: every cached token is verified again');
      }
      const revoked = await this.tokens.revokedWithin(Math.min(since, REVOCATION_RETENTION_MS / 2) + OVERLAP_MS);
      for (const { id, hash } of revoked) {
        if (hash.length > 0) this.entries.delete(hash.toString('base64'));
        else if (id > this.truncatedThrough) {
          // A TRUNCATE of every token (see the migration): once, not on every poll that reads its row again.
          this.entries.clear();
          this.truncatedThrough = id;
        }
      }
      this.polledAt = started;
      if (++this.polls % PRUNE_EVERY === 0) {
        await this.tokens
          .pruneRevocations(REVOCATION_RETENTION_MS)
          .catch((error: Error) => this.logger.warn(`old token revocations not pruned: ${error.message}`));
      }
    } catch (error) {
      this.logger.warn(`token revocations not read: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}
