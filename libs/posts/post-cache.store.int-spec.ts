import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { PostCacheStore } from './post-cache.store.js';

const redis = new RedisService(testConfig());
const cache = new PostCacheStore(redis);
afterAll(() => redis.client.quit());

const item = (id: string) => ({
  id,
  author: { id: '7', handle: 'seven' },
  body: 'hello',
  createdAt: new Date().toISOString(),
});

describe('PostCacheStore on Redis', () => {
  it('keeps a tombstone written between a hydration read and its caching (the delete wins)', async () => {
    await cache.markDeleted(['9001']);
    await cache.put([item('9001')]);
    expect(await cache.getMany(['9001'])).toEqual(['deleted']);
  });

  it('reads a page across shards in one call, missing posts as undefined', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => String(9100 + i));
    await cache.put(ids.slice(0, 15).map(item));
    await cache.markDeleted([ids[3]!]);
    const found = await cache.getMany(ids);
    expect(found.filter((f) => f === undefined)).toHaveLength(5);
    expect(found[3]).toBe('deleted');
    expect((found[0] as { id: string }).id).toBe(ids[0]);
  });
});
