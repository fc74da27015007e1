import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '#libs/config';

/**
 * Response headers every answer carries, from well-kept plugins:
 * - @fastify/helmet: `X-Content-Type-Options: nosniff`, no framing, and a Content-Security-Policy that lets a browser
 *   run nothing from these answers (JSON needs nothing; the /docs page needs only its own inline style);
 * - @fastify/cors: browsers on CORS_ORIGINS may call the API (any origin by default: authentication is a bearer
 *   token, never a cookie, so a page elsewhere gains nothing it could not do with the token itself), preflights
 *   answered, and the headers a client needs to read (Retry-After, the rate-limit counters) exposed.
 */
export async function secureHeaders(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
  });
  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id'],
    exposedHeaders: ['retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
    maxAge: 600,
    // An OPTIONS without the preflight headers is answered like one with them, not with the plugin's plain-text 400
    // (every error of this API has a code).
    strictPreflight: false,
  });
}
