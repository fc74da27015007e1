import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '#libs/config';
import { RateLimitedError } from '#libs/errors';
import { RedisService } from '#libs/redis';

/** Probes and scrapes are never limited: an orchestrator that is refused would restart a healthy process. */
const UNLIMITED = /^\/(health\/|metrics$)/;

/**
 * Requests per second per client, counted in Redis so every API process shares the count (@fastify/rate-limit with
 * its Redis store): RATE_LIMIT_PER_TOKEN for a request with a bearer token, RATE_LIMIT_PER_ADDRESS per client address
 * for one without. Over it, 429 RATE_LIMITED with `Retry-After`. Registered before every route, the Fastify timeline
 * route included. While Redis is away requests are let through unlimited (`skipOnError`): refusing everyone would
 * turn a Redis outage into a full one.
 */
export async function limitRequestRates(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const redis = app.get(RedisService);
  const { requestsPerToken, requestsPerAddress } = config.limits;
  await app.register(rateLimit, {
    global: true,
    timeWindow: 1000,
    redis: redis.client,
    nameSpace: redis.keys.rateLimitPrefix(),
    skipOnError: true,
    keyGenerator: clientKey,
    max: (_request, key) => (key.startsWith('t:') ? requestsPerToken : requestsPerAddress),
    allowList: (request) => UNLIMITED.test(request.url),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`More than ${context.max} requests per second from this client; retry in ${context.after}.`),
  });
}

/** The bearer token (as a digest: keys must not hold credentials) when there is one, else the client address. */
function clientKey(request: FastifyRequest): string {
  const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
  return token ? `t:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}` : `a:${request.ip}`;
}
