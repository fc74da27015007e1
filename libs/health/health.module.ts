import { DynamicModule, Module } from '@nestjs/common';
import { JobsModule } from '#libs/jobs';
import type { HealthIndicator } from './health.indicator.js';
import { PostgresIndicator } from './postgres.indicator.js';
import { QueueIndicator } from './queue.indicator.js';
import { HEALTH_INDICATORS, ReadinessService } from './readiness.service.js';
import { RedisIndicator } from './redis.indicator.js';

/**
 * Readiness of one process: PostgreSQL and Redis always; the fan-out queue's own connection where the process lives
 * off the queue (the worker: `{ queue: true }`).
 */
@Module({})
export class HealthModule {
  static forRoot({ queue = false } = {}): DynamicModule {
    const indicators = [PostgresIndicator, RedisIndicator, ...(queue ? [QueueIndicator] : [])];
    return {
      module: HealthModule,
      imports: queue ? [JobsModule] : [],
      providers: [
        ...indicators,
        { provide: HEALTH_INDICATORS, useFactory: (...list: HealthIndicator[]) => list, inject: indicators },
        ReadinessService,
      ],
      exports: [ReadinessService],
    };
  }
}
