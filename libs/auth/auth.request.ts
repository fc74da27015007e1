import type { FastifyRequest } from 'fastify';

/**
 * A request whose bearer token was verified carries its user: verification, the rate limiter's key and the request
 * line all use it without hashing the token again.
 */
export type AuthedRequest = FastifyRequest & { userId?: string };
