import { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix:` (a deployment's mailboxes, caches, queue and metrics). The tests and the bench
 * give every deployment a prefix of its own and remove it this way afterwards, so they never touch anyone else's keys.
 */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  let cursor = '0';
  let deleted = 0;
  try {
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
