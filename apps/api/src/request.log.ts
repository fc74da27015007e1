import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { RequestContext, requestIdFrom, type RootLog } from '#libs/logging';

/** Fastify's `genReqId`: the caller's X-Request-Id when it is acceptable (see requestIdFrom), otherwise a new one. */
export const requestIdOf = (raw: IncomingMessage): string => requestIdFrom(raw.headers['x-request-id']);

/**
 * Every request: its id returned as `X-Request-Id` and made the async context of its work (so the outbox event and
 * jobs a request causes carry it, and so does every line logged for it), and one line when it is answered: method,
 * route, status, milliseconds and the user, if the bearer token was verified. The line is written by hand, not by
 * pino-http: no child logger per request, and no headers in it at all (so no token can reach the log).
 */
export function logRequests(fastify: FastifyInstance, log: RootLog, userIdOf: (authorization?: string) => unknown) {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    RequestContext.run(request.id, done);
  });
  // Reading a body leaves the async context of onRequest behind (Node hands the data over in socket callbacks), so
  // the handler is entered in it again.
  fastify.addHook('preHandler', (request, _reply, done) => RequestContext.run(request.id, done));
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const line = {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      url: request.url,
      status,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      userId: userIdOf(request.headers.authorization) ?? null,
    };
    if (status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
    done();
  });
}
