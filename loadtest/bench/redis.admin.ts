import { Redis } from 'ioredis';
import { RedisKeys } from '#libs/contract';

export interface RedisMemory {
  /** Users whose keys were measured (MEMORY USAGE, every element counted). */
  sampledUsers: number;
  /** Mailbox bytes / mailbox entries over the sample. */
  bytesPerMailboxEntry: number | null;
  entriesPerMailbox: number;
  /** Mailbox + following set + mailbox state + followed pull-mode authors, per user. */
  bytesPerUser: number;
  /** Post cache bytes per cached post (the post cache is shared by all readers). */
  bytesPerCachedPost: number | null;
  /** used_memory of the whole server (other prefixes included) and its key count. */
  usedMemoryBytes: number;
  keys: number;
}

/** Measures what the product keeps in Redis for a sample of users and posts. */
export async function measureMemory(
  redisUrl: string,
  prefix: string,
  userIds: readonly string[],
  postIds: readonly string[],
): Promise<RedisMemory> {
  const redis = new Redis(redisUrl);
  const keys = new RedisKeys(prefix);
  const usage = async (key: string) => Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  try {
    let mailboxBytes = 0;
    let userBytes = 0;
    let entries = 0;
    for (const id of userIds) {
      const mailbox = await usage(keys.mailbox(id));
      mailboxBytes += mailbox;
      // A mailbox is a list ending in a sentinel member (libs/contract/mailbox.read.ts).
      entries += Math.max(0, (await redis.llen(keys.mailbox(id))) - 1);
      for (const key of [keys.following(id), keys.mailboxState(id), keys.pullFollowees(id)])
        userBytes += await usage(key);
      userBytes += mailbox;
    }
    let postBytes = 0;
    let posts = 0;
    for (const id of postIds) {
      const bytes = await usage(keys.post(id));
      if (bytes > 0) {
        postBytes += bytes;
        posts += 1;
      }
    }
    const info = await redis.info('memory');
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    return {
      sampledUsers: userIds.length,
      bytesPerMailboxEntry: entries > 0 ? Math.round(mailboxBytes / entries) : null,
      entriesPerMailbox: userIds.length ? Math.round(entries / userIds.length) : 0,
      bytesPerUser: userIds.length ? Math.round(userBytes / userIds.length) : 0,
      bytesPerCachedPost: posts > 0 ? Math.round(postBytes / posts) : null,
      usedMemoryBytes: used,
      keys: await redis.dbsize(),
    };
  } finally {
    redis.disconnect();
  }
}
