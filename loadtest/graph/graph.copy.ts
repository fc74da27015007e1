import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** About 1 MiB per write: large enough that per-chunk overhead vanishes, small enough to stream. */
const CHUNK_CHARS = 1 << 20;

/** Escapes a value for COPY text format (backslash, tab, newline and carriage return are special). */
export function copyText(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c)
    : value;
}

/** bytea in COPY text format: the hex form `\x…`, whose backslash must itself be escaped. */
export function copyBytea(bytes: Buffer): string {
  return '\\\\x' + bytes.toString('hex');
}

/**
 * Joins the text of many rows into large chunks. `write(push)` is called for each item and appends rows
 * through `push`; the generator yields whenever a chunk is full, so backpressure reaches the row generator.
 */
export function* chunks<T>(
  items: Iterable<T>,
  write: (item: T, push: (line: string) => void) => void,
): Generator<string> {
  let buffer = '';
  const push = (line: string) => {
    buffer += line;
  };
  for (const item of items) {
    write(item, push);
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer) yield buffer;
}

/** Runs `COPY … FROM STDIN` fed by the chunks; returns the rows PostgreSQL reports. */
export async function copyInto(client: pg.ClientBase, sql: string, data: Iterable<string>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(Readable.from(data), stream);
  return stream.rowCount;
}
