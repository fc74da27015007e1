import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';
import { RedisSettings } from './redis.settings.js';

/** The process's Redis connection, global; its settings are checked when the process starts. */
@Global()
@Module({ providers: [RedisService, RedisSettings], exports: [RedisService] })
export class RedisModule {}
