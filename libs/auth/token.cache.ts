import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { TokensRepository } from './tokens.repository.js';

const CACHE_LIMIT = 50_000;
/** How soon a deleted token stops working in every API process. */
export const TOKEN_RECHECK_MS = 1000;
const RECHECK_CHUNK = 5000;

/**
 * Tokens this process has verified, so a request costs no query, bounded in size. Once a second every cached token is
 * looked up again (one indexed query per 5,000 tokens), and those whose row is gone are dropped: a revoked token stops
 * working within about a second, without a query per request.
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TokenCache');
  /** Key: the token's SHA-256 in base64; value: the user id. */
  private readonly entries = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly tokens: TokensRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.recheck(), TOKEN_RECHECK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  get(hash: Buffer): string | undefined {
    return this.entries.get(hash.toString('base64'));
  }

  set(hash: Buffer, userId: string): void {
    // The oldest entry goes first: Map iterates in insertion order.
    if (this.entries.size >= CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash.toString('base64'), userId);
  }

  /** Drops every cached token whose row no longer exists. Skipped while one is under way or PostgreSQL is away. */
  async recheck(): Promise<void> {
    if (this.checking || this.entries.size === 0) return;
    this.checking = true;
    try {
      const keys = [...this.entries.keys()];
      for (let i = 0; i < keys.length; i += RECHECK_CHUNK) {
        const chunk = keys.slice(i, i + RECHECK_CHUNK);
        const live = new Set(
          (await this.tokens.existing(chunk.map((k) => Buffer.from(k, 'base64')))).map((h) => h.toString('base64')),
        );
        for (const key of chunk) if (!live.has(key)) this.entries.delete(key);
      }
    } catch (error) {
      this.logger.warn(`token recheck skipped: ${(error as Error).message}`);
    } finally {
      this.checking = false;
    }
  }
}
