import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '#libs/config';
import { RateLimitedError } from '#libs/errors';
import { RedisService } from '#libs/redis';
import { AuthService, type AuthedRequest } from '#libs/auth';

/** Probes and scrapes are never limited: an orchestrator that is refused would restart a healthy process. */
const UNLIMITED = /^\/(health\/|metrics$)/;

/**
 * Requests per second per client, counted in Redis so every API process shares the count (@fastify/rate-limit with
 * its Redis store): RATE_LIMIT_PER_TOKEN per user for a request whose bearer token this process has verified,
 * RATE_LIMIT_PER_ADDRESS per client address for any other (no token, or one not verified yet: a client inventing a
 * new token per request is still one address). Over it, 429 RATE_LIMITED with `Retry-After`. Registered before every route, the Fastify timeline
 * route included. While Redis is away requests are let through unlimited (`skipOnError`): refusing everyone would
 * turn a Redis outage into a full one.
 */
export async function limitRequestRates(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const redis = app.get(RedisService);
  const auth = app.get(AuthService);
  const { requestsPerToken, requestsPerAddress } = config.limits;
  await app.register(rateLimit, {
    global: true,
    timeWindow: 1000,
    redis: redis.client,
    nameSpace: redis.keys.rateLimitPrefix(),
    skipOnError: true,
    keyGenerator: (request) => {
      const userId = auth.knownUserId(request as AuthedRequest);
      return userId === undefined ? `a:${request.ip}` : `u:${userId}`;
    },
    max: (_request, key) => (key.startsWith('u:') ? requestsPerToken : requestsPerAddress),
    allowList: (request) => UNLIMITED.test(request.url),
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError(`More than ${context.max} requests per second from this client; retry in ${context.after}.`),
  });
}
