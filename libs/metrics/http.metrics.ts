import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricsService } from './metrics.service.js';

/**
 * Records every response's latency (Fastify's own elapsed time, from the request's arrival to the response sent) by
 * route pattern and strategy. One hook, no per-request allocation beyond the label lookup.
 */
export function instrumentHttp(
  fastify: FastifyInstance,
  metrics: MetricsService,
  strategyOf: (request: FastifyRequest) => string,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    metrics.httpRequest(request.method, route, strategyOf(request), reply.statusCode, reply.elapsedTime * 1000);
    done();
  });
}
