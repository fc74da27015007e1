import { BullModule } from '@nestjs/bullmq';
import { ConsoleLogger, type DynamicModule, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { ConfigModule, loggerLevels, type AppConfig } from '#libs/config';
import { DbModule } from '#libs/db';
import { MetricsModule } from '#libs/metrics';
import { RedisKeys, RedisModule, redisOptionsFromUrl } from '#libs/redis';
import { bindFactories } from '../factories/factory.context.js';
import { testConfig } from './test-config.js';

export interface Services {
  app: TestingModule;
  config: AppConfig;
  get<T>(type: Type<T>): T;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment overrides for this file's config (a new Redis prefix of its own). */
  env?: Record<string, string>;
  /** Share another app's config (its Redis prefix): a second process of the same deployment. */
  config?: AppConfig;
  /** Bind the factories to this app (default); a second process leaves them bound to the first. */
  factories?: boolean;
}

/**
 * The real modules of a process, wired as apps/worker/src/worker.module.ts wires them (config, PostgreSQL, Redis,
 * metrics, the BullMQ connection under the test prefix), plus the feature modules under test. Started with its
 * lifecycle hooks (flags loaded, scripts defined), and bound to the factories. One per test file (beforeAll).
 */
export async function startServices(
  imports: (Type | DynamicModule)[],
  { env = {}, config = testConfig(env), factories = true }: StartOptions = {},
): Promise<Services> {
  const app = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      DbModule,
      RedisModule,
      MetricsModule.forRoot('worker'),
      BullModule.forRoot({
        connection: redisOptionsFromUrl(config.redisUrl),
        prefix: new RedisKeys(config.redisPrefix).bullPrefix(),
      }),
      ...imports,
    ],
  })
    .setLogger(new ConsoleLogger({ logLevels: loggerLevels(config.logLevel) }))
    .compile();
  await app.init();
  if (factories) bindFactories(app);
  return {
    app,
    config,
    get: (type) => app.get(type),
    close: async () => {
      if (factories) bindFactories(null);
      await app.close();
    },
  };
}
