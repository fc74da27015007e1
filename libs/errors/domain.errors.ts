/** Errors the domain raises on purpose; the HTTP filter maps `status` and `code` as they are. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  readonly status = 400;
  readonly code: string;
  constructor(message: string, code = 'VALIDATION_FAILED') {
    super(message);
    this.code = code;
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'UNAUTHORIZED';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'CONFLICT';
}

export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'UNAVAILABLE';
}
