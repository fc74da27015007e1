import { Redis } from 'ioredis';
import { RedisKeys } from '#libs/contract';
import type { RedisTarget } from './redis.target.js';

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
  /** used_memory of the whole server (other prefixes included) and its key count; a cluster's masters added. */
  usedMemoryBytes: number;
  keys: number;
  /** Masters measured (1: one Redis); replicas hold as much again and are not counted. */
  masters?: number;
}

/** Measures what the product keeps in Redis for a sample of users and posts (each key asked of its master). */
export async function measureMemory(
  target: RedisTarget,
  prefix: string,
  userIds: readonly string[],
  postIds: readonly string[],
): Promise<RedisMemory> {
  const servers = new Map(target.masters.map((url) => [url, new Redis(url)]));
  const on = (key: string) => servers.get(target.masterOf(key))!;
  const keys = new RedisKeys(prefix, target.shards);
  const usage = async (key: string) => Number((await on(key).call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  try {
    let mailboxBytes = 0;
    let userBytes = 0;
    let entries = 0;
    for (const id of userIds) {
      const mailbox = await usage(keys.mailbox(id));
      mailboxBytes += mailbox;
      // A mailbox is a list ending in a sentinel member (libs/contract/mailbox.read.ts).
      entries += Math.max(0, (await on(keys.mailbox(id)).llen(keys.mailbox(id))) - 1);
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
    let used = 0;
    let count = 0;
    for (const redis of servers.values()) {
      used += Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
      count += await redis.dbsize();
    }
    return {
      sampledUsers: userIds.length,
      bytesPerMailboxEntry: entries > 0 ? Math.round(mailboxBytes / entries) : null,
      entriesPerMailbox: userIds.length ? Math.round(entries / userIds.length) : 0,
      bytesPerUser: userIds.length ? Math.round(userBytes / userIds.length) : 0,
      bytesPerCachedPost: posts > 0 ? Math.round(postBytes / posts) : null,
      usedMemoryBytes: used,
      keys: count,
      masters: servers.size,
    };
  } finally {
    for (const redis of servers.values()) redis.disconnect();
  }
}
