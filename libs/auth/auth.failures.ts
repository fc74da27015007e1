import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { RateLimitedError } from '#libs/errors';
import { RedisService } from '#libs/redis';

const WINDOW_SECONDS = 10;

/**
 * Failed authentications per client address, shared by every API process through Redis: past
 * AUTH_FAILURES_PER_ADDRESS in ten seconds, an address gets RATE_LIMITED for any token this process has not verified
 * yet, valid or not, until the window ends, so guessing tokens runs at a few per second at most. A client with a valid
 * token is never counted, and while Redis is away nothing is counted (authentication itself needs only PostgreSQL).
 */
@Injectable()
export class AuthFailures {
  private readonly limit: number;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limit = config.limits.authFailuresPerAddress;
  }

  /** Throws RATE_LIMITED when `address` failed too often in the current window. */
  async checkAllowed(address: string): Promise<void> {
    const count = Number((await this.redis.client.get(this.key(address)).catch(() => null)) ?? 0);
    if (count >= this.limit) throw this.limited();
  }

  async record(address: string): Promise<void> {
    const key = this.key(address);
    await this.redis.client
      .multi()
      .incr(key)
      .expire(key, WINDOW_SECONDS * 2)
      .exec()
      .catch(() => null);
  }

  private key(address: string): string {
    return this.redis.keys.authFailures(address, Math.floor(Date.now() / 1000 / WINDOW_SECONDS));
  }

  private limited(): RateLimitedError {
    return new RateLimitedError(`Too many failed authentications from this address; wait ${WINDOW_SECONDS} s.`);
  }
}
