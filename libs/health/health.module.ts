import { Module } from '@nestjs/common';
import { PostgresIndicator } from './postgres.indicator.js';
import { ReadinessService } from './readiness.service.js';
import { RedisIndicator } from './redis.indicator.js';

@Module({ providers: [PostgresIndicator, RedisIndicator, ReadinessService], exports: [ReadinessService] })
export class HealthModule {}
