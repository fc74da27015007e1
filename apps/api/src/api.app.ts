import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '#libs/auth';
import { STRATEGIES, type AppConfig, type Strategy } from '#libs/config';
import { FlagsService } from '#libs/flags';
import { ROOT_LOG } from '#libs/logging';
import { instrumentHttp, MetricsService } from '#libs/metrics';
import { TimelineService } from '#libs/timeline';
import { answerClientError, BODY_LIMIT_BYTES } from './api.limits.js';
import { sendError } from '#libs/errors';
import { ApiModule } from './api.module.js';
import { serveDocsUi } from './docs.ui.js';
import { secureHeaders } from './http.headers.js';
import { parseJsonBodies } from './json.body.js';
import { serveQueueDashboard } from './queue.dashboard.js';
import { limitRequestRates } from './rate.limits.js';
import { logRequests, requestIdOf } from './request.log.js';
import { registerTimelineRoute, TIMELINE_ROUTE } from './timeline.route.js';

/** Builds the HTTP app (used by main.ts and by the integration tests). */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // The whole request (headers and body) must arrive within this; a body trickled byte by byte is cut off.
      requestTimeout: config.timeouts.requestMs,
      // Given to Node's server at creation too: set only afterwards (as Fastify does), Node never enforces it. Node
      // checks it this often (every 30 s by default, which would let a slow client stay 30 s more).
      http: {
        requestTimeout: config.timeouts.requestMs,
        headersTimeout: Math.min(config.timeouts.requestMs, 60_000),
        connectionsCheckingInterval: Math.min(1000, config.timeouts.requestMs),
      },
      // Errors Fastify meets before routing (a malformed URL, say) answer like every other error.
      frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => void sendError(reply, error),
      clientErrorHandler: answerClientError,
      trustProxy: config.limits.trustProxy,
      genReqId: requestIdOf,
    }),
    // Start-up lines wait for the pino logger (LoggingModule), so every line the process writes has one format.
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  // No enableShutdownHooks: Nest's would close PostgreSQL and Redis before the HTTP server (api.shutdown.ts).
  const flags = app.get(FlagsService);
  const fastify = app.getHttpAdapter().getInstance();
  logRequests(fastify, app.get(ROOT_LOG));
  parseJsonBodies(app);
  await secureHeaders(app, config);
  await limitRequestRates(app, config, [TIMELINE_ROUTE.url]);
  instrumentHttp(fastify, app.get(MetricsService), (request) => strategyOf(request, flags));
  registerTimelineRoute(fastify, app.get(AuthService), app.get(TimelineService), config);
  await serveDocsUi(app);
  await serveQueueDashboard(app);
  await app.init();
  await flags.applyEnvironment();
  return app;
}

/** The strategy a request ran under: a timeline read's own `?strategy=`, otherwise the configured one. */
function strategyOf(request: FastifyRequest, flags: FlagsService): Strategy {
  const requested = (request.query as { strategy?: string } | undefined)?.strategy;
  return STRATEGIES.includes(requested as Strategy) ? (requested as Strategy) : flags.current().flags.strategy;
}
