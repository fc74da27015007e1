import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis, type ChainableCommander } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { groupByHashTag, RedisKeys } from '#libs/contract';

/** The command connection of a process (mailboxes, post cache, scripts). BullMQ opens its own. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly keys: RedisKeys;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    this.keys = new RedisKeys(config.redisPrefix, config.redisShards);
  }

  /**
   * Work on many users' (or posts') keys: the items grouped by the hash tag of their key (so by slot), one command or
   * script per group (`add` queues it on the pipeline), all groups sent together. No command ever spans two slots, so
   * the same code runs on Redis Cluster, where the groups go to their nodes. Returns each group's reply, in group order; throws the first
   * error.
   */
  async perSlot<T>(
    items: readonly T[],
    keyOf: (item: T) => string,
    add: (pipeline: ChainableCommander, group: T[]) => void,
  ): Promise<unknown[]> {
    if (items.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const group of groupByHashTag(items, keyOf)) add(pipeline, group);
    return ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  /** A separate connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
  subscriber(): Redis {
    return new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
