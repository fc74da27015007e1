import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from '#libs/auth';
import { ConfigModule, type AppConfig } from '#libs/config';
import { DbModule } from '#libs/db';
import { HttpErrorFilter } from '#libs/errors';
import { FlagsModule } from '#libs/flags';
import { HealthModule } from '#libs/health';
import { JobsModule } from '#libs/jobs';
import { LoggingModule } from '#libs/logging';
import { MetricsModule } from '#libs/metrics';
import { OutboxModule } from '#libs/outbox';
import { PostsModule } from '#libs/posts';
import { queueConnection, RedisKeys, RedisModule } from '#libs/redis';
import { SocialModule } from '#libs/social';
import { TimelineModule } from '#libs/timeline';
import { API_CONTROLLERS, API_ROUTES } from './api.routes.js';
import { OPENAPI_DOCUMENT } from './docs.controller.js';
import { openApiDocument } from './openapi.document.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, 'api'),
        DbModule,
        RedisModule,
        MetricsModule.forRoot('api'),
        BullModule.forRoot({
          connection: queueConnection(config),
          prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
        }),
        AuthModule,
        FlagsModule,
        HealthModule.forRoot(),
        JobsModule,
        OutboxModule,
        SocialModule,
        PostsModule,
        TimelineModule,
      ],
      controllers: API_CONTROLLERS,
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: OPENAPI_DOCUMENT, useFactory: () => openApiDocument(API_ROUTES) },
      ],
    };
  }
}
