import { STRATEGIES } from '#libs/contract';
import { DEFAULT_LIMIT, encodeCursor, MAX_LIMIT } from '#libs/paging';

// What the OpenAPI document says of each parameter beyond its schema. The same few parameters recur on many routes,
// so they are described once here; a route whose parameter needs another example says so in its @ApiDoc.

export interface ParamDoc {
  description: string;
  example: string | number;
  /** Replaces the schema read from the validating zod schema (see `limit`). */
  schema?: Record<string, unknown>;
}

// How ids behave: PostgreSQL bigints, of which the API only ever issues values below 2^53 (exact as JavaScript numbers
// and Redis scores); parseId accepts the whole positive bigint range so that an unknown id is a 404, not a 400.
const ID_RANGE =
  'A decimal string: ids the API issues are positive integers below 2^53. Any positive integer below 2^63 is ' +
  'accepted; one that names nothing is 404 NOT_FOUND, anything else 400 VALIDATION_FAILED.';

/** A post id as next_post_id() makes them (this one: 2026-11-23T10:52:45.015Z, the README's walkthrough). */
export const EXAMPLE_POST_ID = '374226800701442';

/** Path parameters, by the segment before them and their name: `/v1/users/{id}` → `users/{id}`. */
const PATH_PARAMETERS: Record<string, ParamDoc> = {
  'users/{id}': { description: `The user's id. ${ID_RANGE}`, example: '1' },
  'posts/{id}': { description: `The post's id. ${ID_RANGE}`, example: EXAMPLE_POST_ID },
  'following/{userId}': { description: `The id of the user to follow or unfollow. ${ID_RANGE}`, example: '2' },
};

/** Query parameters, by name. */
const QUERY_PARAMETERS: Record<string, ParamDoc> = {
  limit: {
    description: `Items per page, 1 to ${MAX_LIMIT}; decimal digits only (no sign, exponent or hex).`,
    example: DEFAULT_LIMIT,
    // The zod schema validates the query string's text; the document states the number that text must spell, which
    // is what a client (and Swagger UI's form) works with.
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  cursor: {
    description:
      'The `nextCursor` of the previous page, for the page after it; absent for the first page. Opaque, and ' +
      'only valid for the list that gave it out: anything else is 400 INVALID_CURSOR.',
    example: encodeCursor([EXAMPLE_POST_ID]),
  },
  strategy: {
    description:
      `Read under this strategy (${STRATEGIES.join(', ')}) instead of the configured one, e.g. to compare ` +
      'them on the same data; once the fan-out queue has drained, every strategy gives the same timeline.',
    example: 'pull',
  },
  raw: {
    description:
      "`true`: each process's cumulative snapshot instead of their sum (two calls then give an interval, " +
      'process by process); `false`: the histograms added up.',
    example: 'false',
  },
};

/** Request headers a handler reads besides Authorization (which the security schemes describe), by name. */
const HEADER_PARAMETERS: Record<string, ParamDoc & { schema: Record<string, unknown> }> = {
  'Idempotency-Key': {
    description:
      'Makes a retry safe: a post sent again with the same key by the same user answers with the post made the ' +
      'first time instead of posting twice. 1 to 100 printable ASCII characters without spaces, a UUID say.',
    example: '0b9e1c52-5d0f-4c8e-9a61-3f2d7e8b4a10',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,100}$' },
  },
};

/** The documentation of path parameter `name` of `path`, or undefined when nothing describes it. */
export function pathParamDoc(path: string, name: string): ParamDoc | undefined {
  const segments = path.split('/');
  const at = segments.indexOf(`{${name}}`);
  return at > 0 ? PATH_PARAMETERS[`${segments[at - 1]}/{${name}}`] : undefined;
}

export function queryParamDoc(name: string): ParamDoc | undefined {
  return QUERY_PARAMETERS[name];
}

export function headerParamDoc(name: string): (ParamDoc & { schema: Record<string, unknown> }) | undefined {
  return HEADER_PARAMETERS[name];
}
