import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { AuthedRequest } from '#libs/auth';
import { requestIdFrom, type RootLog } from '#libs/logging';

/** Fastify's `genReqId`: the caller's X-Request-Id when it is acceptable (see requestIdFrom), otherwise a new one. */
export const requestIdOf = (raw: IncomingMessage): string => requestIdFrom(raw.headers['x-request-id']);

/**
 * The id of the request a controller serves, for the changes it commits: the outbox row keeps it and the event's jobs
 * carry it on (passed explicitly: an AsyncLocalStorage per request would make every promise of the process dearer on
 * Node 20, measured at a sixth of the push read's CPU).
 */
export const RequestId = createParamDecorator(
  (_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>().id,
);

/**
 * Every request: its id returned as `X-Request-Id`, and one line when it is answered: method, route, status,
 * milliseconds and the user, if the request's bearer token was verified (set on the request by the guard or the
 * timeline route: no token is hashed again for the line). The line is written by hand, not by pino-http: no
 * child logger per request, and no headers in it at all (so no token can reach the log).
 */
export function logRequests(fastify: FastifyInstance, log: RootLog) {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (status < 500 && !log.isLevelEnabled('info')) return done();
    const line = {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: request.url,
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      userId: (request as AuthedRequest).userId ?? null,
    };
    if (status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
    done();
  });
}
