import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { DeadlineError, RateLimitedError } from '#libs/errors';

/**
 * Bounds the timeline reads that run the SQL join, the most expensive query there is (its cost grows with how many
 * accounts the reader follows). Per reader: at most PULL_READS_PER_USER at once in a process, more are refused with
 * RATE_LIMITED, so one client cannot take every connection. In all: at most PULL_READ_CONCURRENCY at once, the rest wait
 * (up to DB_CONNECT_TIMEOUT_MS, then UNAVAILABLE), so writes always find a free connection in the pool.
 */
@Injectable()
export class PullReadGate {
  private readonly perReader = new Map<string, number>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly perReaderLimit: number;
  private readonly limit: number;
  private readonly waitMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.perReaderLimit = config.limits.pullReadsPerUser;
    this.limit = config.limits.pullReadConcurrency;
    this.waitMs = config.timeouts.dbConnectMs;
  }

  async run<T>(readerId: string, read: () => Promise<T>): Promise<T> {
    const mine = this.perReader.get(readerId) ?? 0;
    if (mine >= this.perReaderLimit) {
      throw new RateLimitedError(`At most ${this.perReaderLimit} timeline reads from the database at once per user.`);
    }
    this.perReader.set(readerId, mine + 1);
    try {
      await this.acquire();
      try {
        return await read();
      } finally {
        this.release();
      }
    } finally {
      const left = this.perReader.get(readerId)! - 1;
      if (left === 0) this.perReader.delete(readerId);
      else this.perReader.set(readerId, left);
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        clearTimeout(timer);
        this.active += 1;
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(admit), 1);
        reject(new DeadlineError('a database connection for the timeline', this.waitMs));
      }, this.waitMs);
      this.waiting.push(admit);
    });
  }

  private release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }
}
