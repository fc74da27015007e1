import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '#libs/contract';
import { dropDatabase } from '../support/global-setup.js';
import { testConfig } from '../support/test-config.js';

// `seed --reset` replaces a deployment's data: the Redis side (mailboxes, post cache, queue) goes with it, or a running
// stack would keep serving posts that no longer exist.

const config = testConfig();
// A database of this file's own: --reset truncates, and the run's database is shared by the other test files.
const url = new URL(config.databaseUrl);
url.pathname = `${url.pathname}_seed`;
const databaseUrl = url.toString();
const credentials = join(tmpdir(), `seed-reset-${process.pid}.json`);

afterAll(async () => {
  await dropDatabase(databaseUrl);
  await rm(credentials, { force: true });
});

describe('seed --reset', () => {
  it("deletes the deployment's Redis keys, and only those", async () => {
    const redis = new Redis(config.redisUrl);
    const mine = [`${config.redisPrefix}:{s0}:mb:1`, `${config.redisPrefix}:{s3}:post:2`];
    const theirs = `${config.redisPrefix}x:{s0}:mb:1`;
    try {
      for (const key of [...mine, theirs]) await redis.set(key, 'stale');
      const output = await runScript(
        'dist/loadtest/graph/seed.cli.js',
        { REDIS_URL: config.redisUrl, REDIS_PREFIX: config.redisPrefix },
        ['--reset', '--users', '30', '--mean-follows', '5', '--database-url', databaseUrl, '--out', credentials],
      );
      expect(output).toMatch(/rows: users 30/);
      expect(output).toContain(`redis: deleted 2 keys under "${config.redisPrefix}:" (--reset)`);
      expect(await redis.exists(...mine)).toBe(0);
      expect(await redis.get(theirs)).toBe('stale');
    } finally {
      await redis.del(theirs, ...mine);
      redis.disconnect();
    }
  });
});
