import type { RequestCount, RequestLimit } from '#libs/contract';
import { RateLimitedError } from '#libs/errors';

/**
 * A request to count against its reader's per-second limit during the timeline read, in the mailbox read's own
 * script when the read has one (READ), so the limit costs the hot read no round trip of its own. The API gives one
 * for the requests the rate limiter left to the read (apps/api/src/rate.limits.ts), and sends what the count came to
 * as the limiter's headers.
 */
export class RequestCharge implements RequestLimit {
  /** What the count came to; null until counted, and when Redis did not answer (the request is let through). */
  count: RequestCount | null = null;
  /** Counted, or tried and Redis did not answer: never counted twice. */
  taken = false;

  constructor(
    readonly windowMs: number,
    readonly max: number,
  ) {}

  /** Records what the count came to; throws RATE_LIMITED when it is over the limit. */
  took(count: RequestCount | null): void {
    this.taken = true;
    this.count = count;
    if (count && count.count > this.max) throw RateLimitedError.overRate(this.max, this.retryAfterSeconds());
  }

  /** Seconds until the window ends, as the limiter rounds them (up). */
  retryAfterSeconds(): number {
    return Math.ceil((this.count?.msLeft ?? this.windowMs) / 1000);
  }
}
