import { ValidationFailedError } from '#libs/errors';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** The largest id PostgreSQL's bigint holds; also the open upper bound of keyset pages. */
export const MAX_ID = 2n ** 63n - 1n;
export const ID_PATTERN = /^[1-9][0-9]{0,18}$/;

/** Opaque cursors: base64url of the keyset values of the last item returned. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(values.join('.'), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): string[] {
  const values = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8').split('.')
    : [];
  if (values.length !== arity || !values.every((v) => /^[0-9]{1,19}$/.test(v) && BigInt(v) <= MAX_ID)) {
    throw new ValidationFailedError(
      'cursor is not valid: pass back a nextCursor from a previous page.',
      'INVALID_CURSOR',
    );
  }
  return values;
}

export function isId(value: string): boolean {
  return ID_PATTERN.test(value) && BigInt(value) <= MAX_ID;
}

/** Ids are decimal strings of positive 64-bit integers; anything else is a 400, not a 404. */
export function parseId(value: string, name = 'id'): string {
  if (!isId(value))
    throw new ValidationFailedError(`${name} must be a positive integer id, got ${JSON.stringify(value)}.`);
  return value;
}

/** A page is full when it has `limit` items; only then is there a next cursor. */
export function pageOf<T>(items: T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  const page = items.slice(0, limit);
  return { items: page, nextCursor: page.length === limit ? cursorOf(page[page.length - 1]!) : null };
}
