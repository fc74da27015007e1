import { Injectable } from '@nestjs/common';
import { RedisService } from '#libs/redis';
import type { HealthIndicator } from './health.indicator.js';

/** Redis answers PING on the process's command connection. */
@Injectable()
export class RedisIndicator implements HealthIndicator {
  readonly name = 'redis';

  constructor(private readonly redis: RedisService) {}

  async check(): Promise<void> {
    await this.redis.client.ping();
  }
}
