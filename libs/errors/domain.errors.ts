import { statusOf, type DomainErrorCode, type ValidationCode } from '#libs/contract';

/** Errors the domain raises on purpose; the HTTP filter maps `status` and `code` as they are. */
export abstract class DomainError extends Error {
  /** From the catalogue, so a code always answers with the same status. */
  readonly status: number;

  protected constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
    this.status = statusOf(code);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message: string, code: ValidationCode = 'VALIDATION_FAILED') {
    super(code, message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

export class FollowLimitError extends DomainError {
  constructor(message: string) {
    super('FOLLOW_LIMIT', message);
  }
}

export class RateLimitedError extends DomainError {
  /** `retryAfterSeconds`: when to try again, sent as Retry-After (1 when not given). */
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super('RATE_LIMITED', message);
  }

  /** Over the per-client request rate (the rate limiter's and the timeline read's own count say it alike). */
  static overRate(max: number, retryAfterSeconds: number): RateLimitedError {
    const after = `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`;
    return new RateLimitedError(
      `More than ${max} requests per second from this client; retry in ${after}.`,
      retryAfterSeconds,
    );
  }
}

export class UnavailableError extends DomainError {
  constructor(message: string) {
    super('UNAVAILABLE', message);
  }
}
