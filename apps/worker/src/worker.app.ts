import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '#libs/config';
import { OutboxRelay } from '#libs/outbox';
import { WorkerModule } from './worker.module.js';

/** The worker: the same libraries as the API, booted without HTTP, running the fan-out queue and the relay. */
export async function createWorkerApp(config: AppConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // No enableShutdownHooks: Nest's would close PostgreSQL and Redis under running jobs (worker.shutdown.ts).
  await app.init();
  app.get(OutboxRelay).start();
  return app;
}
