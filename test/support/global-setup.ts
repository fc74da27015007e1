import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { deletePrefix } from '#libs/contract';
import { ensureDatabase, migrate } from '../../libs/db/migrator.js';

const BASE = process.env.TEST_DATABASE_BASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    redisPrefix: string;
  }
}

/** Drops a test database (on the server of TEST_DATABASE_BASE_URL), even with connections still open. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: BASE });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${new URL(databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Each run gets a new database and a Redis key prefix of its own, and removes both at the end. */
export default async function setup(project: TestProject) {
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const url = new URL(BASE);
  url.pathname = `/fanout_lab_test_${suffix}`;
  const databaseUrl = url.toString();
  const redisPrefix = `test-${suffix}`;
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl, fileURLToPath(new URL('../../prisma/migrations', import.meta.url)));
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', REDIS_URL);
  project.provide('redisPrefix', redisPrefix);

  return async () => {
    // Test files add their own suffix to the run's prefix (test-config.ts), so their keys are `<prefix>-<hex>:…`.
    await deletePrefix(REDIS_URL, redisPrefix);
    await deletePrefix(REDIS_URL, `${redisPrefix}-*`);
    await dropDatabase(databaseUrl);
  };
}
