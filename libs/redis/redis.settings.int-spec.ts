import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { freePort } from '../../test/support/processes.js';
import { testConfig } from '../../test/support/test-config.js';
import { RedisService } from './redis.service.js';
import { RedisSettings } from './redis.settings.js';

// A Redis of this test's own (its settings are changed here; the machine's shared Redis is never touched).
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => 50 });
  probe.on('error', () => {});
  for (let i = 0; i < 100 && probe.status !== 'ready'; i++)
    await probe.connect().catch(() => new Promise((r) => setTimeout(r, 50)));
  probe.disconnect();
});
afterAll(async () => {
  server.kill();
  await once(server, 'exit');
});

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
