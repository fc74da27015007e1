import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loggerLevels, type AppConfig } from '#libs/config';
import { FlagsService } from '#libs/flags';
import { ApiModule } from './api.module.js';

/** Builds the HTTP app (used by main.ts and by the integration tests). */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: 64 * 1024 }),
    { logger: loggerLevels(config.logLevel), bufferLogs: false },
  );
  app.enableShutdownHooks();
  await app.init();
  await app.get(FlagsService).applyEnvironment();
  return app;
}
