// The one catalogue of the API's stable error codes. The HTTP filter, the domain errors, the OpenAPI document and the
// response schema read it; a unit test holds the README's error table to it. No NestJS here, so anything can import it.

interface ErrorCodeEntry {
  /** '4xx': the status the HTTP framework chose for a client error the catalogue does not name. */
  status: number | '4xx';
  /** One line, in the README's words (the README's table must say the same). */
  meaning: string;
  /** A narrower code for one case of another code with the same status (the filter never picks it by status). */
  narrows?: string;
  /** Not part of the contract a client codes against: a bug. */
  internal?: true;
}

export const ERROR_CODES = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'a body, query or path parameter is invalid (the message names the field)',
  },
  INVALID_CURSOR: {
    status: 400,
    meaning: '`cursor` is not a `nextCursor` this API gave out',
    narrows: 'VALIDATION_FAILED',
  },
  POST_TOO_LONG: { status: 400, meaning: 'a post body over the length limit', narrows: 'VALIDATION_FAILED' },
  SELF_FOLLOW: { status: 400, meaning: 'following or unfollowing yourself', narrows: 'VALIDATION_FAILED' },
  BAD_REQUEST: { status: '4xx', meaning: 'another malformed request, refused by the HTTP layer with its own status' },
  UNAUTHORIZED: { status: 401, meaning: 'no bearer token, or an unknown one' },
  FORBIDDEN: { status: 403, meaning: "the token may not do this: delete someone else's post, or an admin call" },
  NOT_FOUND: { status: 404, meaning: 'unknown user, post or route' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'a method the path does not take (`Allow` lists those it does)' },
  CONFLICT: { status: 409, meaning: 'the handle is taken' },
  FOLLOW_LIMIT: {
    status: 409,
    meaning: 'following one more account than `MAX_FOLLOWING` (5,000 by default) allows',
    narrows: 'CONFLICT',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request body is over the size limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'a body that is not `application/json`' },
  RATE_LIMITED: {
    status: 429,
    meaning: 'too many requests from this client, or too many timeline reads at once; retry after `Retry-After`',
  },
  UNAVAILABLE: {
    status: 503,
    meaning: 'PostgreSQL or Redis cannot be reached or did not answer in time; retry after `Retry-After`',
  },
  INTERNAL: { status: 500, meaning: 'a bug; the details are logged, never sent', internal: true },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

type StatusOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['status'];

/** The codes a domain error can carry: those with a fixed status. */
export type DomainErrorCode = { [C in ErrorCode]: StatusOf<C> extends number ? C : never }[ErrorCode];

/** The codes of a 400: VALIDATION_FAILED and the narrower ones. */
export type ValidationCode = { [C in ErrorCode]: StatusOf<C> extends 400 ? C : never }[ErrorCode];

export function statusOf(code: DomainErrorCode): number {
  return ERROR_CODES[code].status;
}

const entries = Object.entries(ERROR_CODES) as [ErrorCode, ErrorCodeEntry][];

const CODE_BY_STATUS = new Map(
  entries.filter(([, e]) => typeof e.status === 'number' && !e.narrows).map(([code, e]) => [e.status, code]),
);

/** The code for an error that only has a status (raised by NestJS or Fastify, not by the domain). */
export function codeForStatus(status: number): ErrorCode {
  return CODE_BY_STATUS.get(status) ?? (status >= 400 && status < 500 ? 'BAD_REQUEST' : 'INTERNAL');
}
