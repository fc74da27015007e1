import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis, type ChainableCommander } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { groupByHashTag, RedisKeys } from '#libs/contract';

/** Reconnect quickly while Redis is away: the next attempt is at most half a second off. */
function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 500);
}

/**
 * A command never waits long: with Redis unreachable it fails once the next reconnect attempt fails (within about half
 * a second), and with Redis not answering (frozen, overloaded) after REDIS_COMMAND_TIMEOUT_MS. Reads then fall back to
 * PostgreSQL and writes leave their events to the outbox relay, instead of hanging.
 */
export function commandConnectionOptions(config: AppConfig) {
  return {
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    connectTimeout: Math.max(config.timeouts.redisCommandMs, 1000),
    commandTimeout: config.timeouts.redisCommandMs,
  };
}

/**
 * Commands wait for the first connection (a process starting while Redis comes up), but once connected, a command
 * sent while the connection is down fails at once instead of queueing until it comes back: every caller has a way
 * around Redis (a read from PostgreSQL, the outbox relay, a job retried), none of them wants to wait.
 */
export function failFastOnceReady(client: {
  status: string;
  options: { enableOfflineQueue?: boolean };
  once(event: 'ready', listener: () => void): unknown;
}): void {
  const failFast = () => (client.options.enableOfflineQueue = false);
  if (client.status === 'ready') failFast();
  else client.once('ready', failFast);
}

/** The command connection of a process (mailboxes, post cache, scripts). BullMQ opens its own. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly keys: RedisKeys;
  private readonly logger = new Logger('Redis');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis(config.redisUrl, { ...commandConnectionOptions(config), enableAutoPipelining: true });
    // While Redis is away ioredis reconnects by itself; its 'error' events are the outage, not a reason to crash.
    this.client.on('error', (error: Error) => this.logger.debug(`connection: ${error.message}`));
    failFastOnceReady(this.client);
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
    const subscriber = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null, retryStrategy: reconnectDelay });
    subscriber.on('error', (error: Error) => this.logger.debug(`subscriber: ${error.message}`));
    return subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
