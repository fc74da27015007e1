import { Global, Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { RedisKeys } from '#libs/contract';

/** The command connection of a process (mailboxes, post cache, scripts). BullMQ opens its own. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly keys: RedisKeys;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    this.keys = new RedisKeys(config.redisPrefix);
  }

  /** A separate connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
  subscriber(): Redis {
    return new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
