import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from './redis.options.js';

describe('redisOptionsFromUrl', () => {
  it('reads the database as ioredis does, from the path or from ?db=', () => {
    for (const url of ['redis://127.0.0.1:6379/7', 'redis://127.0.0.1:6379?db=7', 'redis://127.0.0.1:6379/?db=7']) {
      const ioredis = new Redis(url, { lazyConnect: true });
      expect(redisOptionsFromUrl(url).db, url).toBe(7);
      expect(ioredis.options.db, url).toBe(7);
      ioredis.disconnect();
    }
    expect(redisOptionsFromUrl('redis://127.0.0.1:6379').db).toBe(0);
  });

  it('keeps credentials and TLS', () => {
    const options = redisOptionsFromUrl('rediss://user:p%40ss@cache.example:6380/2');
    expect(options).toMatchObject({ host: 'cache.example', port: 6380, username: 'user', password: 'p@ss', db: 2 });
    expect(options.tls).toEqual({});
  });
});
