import rateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '#libs/config';
import { RateLimitedError } from '#libs/errors';
import { RedisService } from '#libs/redis';
import { AuthService, type AuthedRequest } from '#libs/auth';
import { RequestCharge } from '#libs/timeline';

/** Probes and scrapes are never limited: an orchestrator that is refused would restart a healthy process. */
const UNLIMITED = /^\/(health\/|metrics$)/;

/** The one-second window every count is kept in. */
const WINDOW_MS = 1000;

/** Set on a request whose route counts it itself (see limitRequestRates). */
const COUNTED_BY_ROUTE = Symbol('countedByRoute');
type LimitedRequest = FastifyRequest & { [COUNTED_BY_ROUTE]?: true };

/**
 * Requests per second per client, counted in Redis so every API process shares the count (@fastify/rate-limit with
 * its Redis store): RATE_LIMIT_PER_TOKEN per user for a request whose bearer token this process has verified,
 * RATE_LIMIT_PER_ADDRESS per client address for any other (no token, or one not verified yet: a client inventing a
 * new token per request is still one address). Over it, 429 RATE_LIMITED with `Retry-After`. Registered before every
 * route, the Fastify timeline route included. While Redis is away requests are let through unlimited
 * (`skipOnError`): refusing everyone would turn a Redis outage into a full one.
 *
 * A verified user's request to one of `countedByRoute` (the timeline read) is left to the route: it counts the
 * request on the same key (the user's counter, in the user's slot) inside its mailbox read (requestCharge), which
 * saves the hot read the limiter's own script call, a tenth of its CPU at 800 reads/s (profiled).
 */
export async function limitRequestRates(
  app: NestFastifyApplication,
  config: AppConfig,
  countedByRoute: readonly string[],
): Promise<void> {
  const redis = app.get(RedisService);
  const auth = app.get(AuthService);
  const { requestsPerToken, requestsPerAddress } = config.limits;
  const byRoute = new Set(countedByRoute);
  await app.register(rateLimit, {
    global: true,
    timeWindow: WINDOW_MS,
    redis: redis.client,
    nameSpace: redis.keys.rateLimitPrefix(),
    skipOnError: true,
    keyGenerator: (request) => {
      const userId = auth.knownUserId(request as AuthedRequest);
      return userId === undefined ? `a:${request.ip}` : redis.keys.rateLimitUser(userId);
    },
    max: (_request, key) => (key.startsWith('u:') ? requestsPerToken : requestsPerAddress),
    allowList: (request, key) => {
      if (UNLIMITED.test(request.url)) return true;
      if (!key.startsWith('u:') || !byRoute.has(request.routeOptions.url ?? '')) return false;
      (request as LimitedRequest)[COUNTED_BY_ROUTE] = true;
      return true;
    },
    errorResponseBuilder: (_request, context) => RateLimitedError.overRate(context.max, Math.ceil(context.ttl / 1000)),
  });
}

/** The count a route must take of a request the limiter left to it, or undefined for one the limiter counted. */
export function requestCharge(request: FastifyRequest, config: AppConfig): RequestCharge | undefined {
  if (!(request as LimitedRequest)[COUNTED_BY_ROUTE]) return undefined;
  return new RequestCharge(WINDOW_MS, config.limits.requestsPerToken);
}

/** The limiter's headers for a count a route took (Retry-After comes with the RATE_LIMITED error). */
export function sendCountHeaders(reply: FastifyReply, charge: RequestCharge | undefined): void {
  if (!charge?.count) return;
  const { max, count } = charge;
  void reply.header('x-ratelimit-limit', max);
  void reply.header('x-ratelimit-remaining', Math.max(0, max - count.count));
  void reply.header('x-ratelimit-reset', charge.retryAfterSeconds());
}
