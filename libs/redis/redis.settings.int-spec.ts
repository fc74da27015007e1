import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PrivateRedis } from '#libs/contract';
import { testConfig } from '../../test/support/test-config.js';
import { RedisService } from './redis.service.js';
import { RedisSettings } from './redis.settings.js';

// A Redis of this test's own (its settings are changed here; the machine's shared Redis is never touched).
let server: PrivateRedis;
let url: string;

beforeAll(async () => {
  server = await PrivateRedis.start();
  url = server.url;
});
afterAll(() => server?.stop());

async function check(env: Record<string, string>): Promise<unknown> {
  const config = testConfig({ REDIS_URL: url, ...env });
  const redis = new RedisService(config);
  try {
    await new RedisSettings(redis, config).onModuleInit();
    return 'started';
  } catch (error) {
    return (error as Error).message;
  } finally {
    redis.client.disconnect();
  }
}

describe('RedisSettings at start-up', () => {
  it('starts on a Redis with the settings the design relies on', async () => {
    expect(await check({ REDIS_PREFIX: 'settings-a' })).toBe('started');
  });

  it('refuses a process whose REDIS_SHARDS differs from the deployment it joins', async () => {
    expect(await check({ REDIS_PREFIX: 'settings-b', REDIS_SHARDS: '64' })).toBe('started');
    expect(await check({ REDIS_PREFIX: 'settings-b', REDIS_SHARDS: '16' })).toMatch(
      /shards=64.*shards=16.*REDIS_SHARDS/,
    );
  });

  it('refuses a Redis that may evict keys', async () => {
    const admin = new Redis(url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await check({ REDIS_PREFIX: 'settings-c' })).toMatch(/maxmemory-policy is "allkeys-lru".*noeviction/);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });
});
