import { rm } from 'node:fs/promises';
import pg from 'pg';
import { deletePrefix } from '#libs/contract';
import type { BenchOptions } from './bench.options.js';

// `--cleanup` (the default, see bench.options.ts): what the bench made is removed at the end, and nothing else. Its
// database (which only the bench uses: it is wiped at the start of every run), the Redis keys under its prefix and
// redis-benchmark's scratch prefix, in the Redis database of its URL (keys by prefix, never FLUSHDB), and the
// credentials file, whose tokens belong to the dropped database.

export type CleanupTarget = Pick<BenchOptions, 'databaseUrl' | 'redisUrl' | 'redisPrefix'>;

/** The database of a PostgreSQL URL, and a URL of the same server's maintenance database to drop it from. */
export function databaseOf(databaseUrl: string): { name: string; adminUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name || name === 'postgres') throw new Error(`the bench will not drop database ${JSON.stringify(name)}`);
  url.pathname = '/postgres';
  return { name, adminUrl: url.toString() };
}

/** Drops the database if it exists (FORCE: a connection the stack left open must not keep it alive). */
export async function dropDatabase(databaseUrl: string): Promise<boolean> {
  const { name, adminUrl } = databaseOf(databaseUrl);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
    return (rowCount ?? 0) > 0;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export async function cleanupBench(o: CleanupTarget, credentialsFile: string, log: (line: string) => void) {
  const keys = (await deletePrefix(o.redisUrl, o.redisPrefix)) + (await deletePrefix(o.redisUrl, zaddPrefix(o)));
  const dropped = await dropDatabase(o.databaseUrl);
  await rm(credentialsFile, { force: true });
  log(
    `cleanup: ${dropped ? 'dropped' : 'no'} database ${databaseOf(o.databaseUrl).name}, ` +
      `${keys.toLocaleString('en-US')} Redis keys under ${o.redisPrefix}: removed, ${credentialsFile} deleted`,
  );
}

/** redis-benchmark's scratch keys: beside the deployment's prefix, so they never mix with the product's keys. */
export const zaddPrefix = (o: Pick<BenchOptions, 'redisPrefix'>) => `${o.redisPrefix}-zadd`;
