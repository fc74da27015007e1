import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { AuthService } from '#libs/auth';
import { loggerLevels, STRATEGIES, type AppConfig, type Strategy } from '#libs/config';
import { FlagsService } from '#libs/flags';
import { instrumentHttp, MetricsService } from '#libs/metrics';
import { TimelineService } from '#libs/timeline';
import { BODY_LIMIT_BYTES } from './api.limits.js';
import { ApiModule } from './api.module.js';
import { registerTimelineRoute } from './timeline.route.js';

/** Builds the HTTP app (used by main.ts and by the integration tests). */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger: loggerLevels(config.logLevel), bufferLogs: false },
  );
  app.enableShutdownHooks();
  const flags = app.get(FlagsService);
  const fastify = app.getHttpAdapter().getInstance();
  instrumentHttp(fastify, app.get(MetricsService), (request) => strategyOf(request, flags));
  registerTimelineRoute(fastify, app.get(AuthService), app.get(TimelineService));
  await app.init();
  await flags.applyEnvironment();
  return app;
}

/** The strategy a request ran under: a timeline read's own `?strategy=`, otherwise the configured one. */
function strategyOf(request: FastifyRequest, flags: FlagsService): Strategy {
  const requested = (request.query as { strategy?: string } | undefined)?.strategy;
  return STRATEGIES.includes(requested as Strategy) ? (requested as Strategy) : flags.current().flags.strategy;
}
