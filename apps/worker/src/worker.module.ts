import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, type AppConfig } from '#libs/config';
import { DbModule } from '#libs/db';
import { FanoutModule } from '#libs/fanout';
import { HealthModule } from '#libs/health';
import { LoggingModule } from '#libs/logging';
import { MetricsModule } from '#libs/metrics';
import { OutboxModule } from '#libs/outbox';
import { queueConnection, RedisKeys, RedisModule } from '#libs/redis';
import { FanoutProcessor } from './fanout.processor.js';
import { WorkerHttp } from './worker.http.js';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'worker'),
        DbModule,
        RedisModule,
        MetricsModule.forRoot('worker'),
        BullModule.forRoot({
          connection: queueConnection(config),
          prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
        }),
        OutboxModule,
        FanoutModule,
        HealthModule.forRoot({ queue: true }),
      ],
      providers: [FanoutProcessor, WorkerHttp],
    };
  }
}
