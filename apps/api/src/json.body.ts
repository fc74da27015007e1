import { isUtf8 } from 'node:buffer';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedError } from '#libs/errors';
import { BODY_LIMIT_BYTES } from './api.limits.js';

/**
 * Request bodies as JSON, stricter and more forgiving than the default in one way each:
 * - bytes that are not UTF-8 are refused (400 VALIDATION_FAILED), where decoding would quietly turn them into U+FFFD;
 * - an empty body is no body: many HTTP clients send `Content-Type: application/json` on every request, DELETE and
 *   PUT included. Routes that take none then answer as usual, unauthenticated ones 401; routes that need one say so
 *   in their validation, after authentication.
 * Parsing itself stays Fastify's (secure-json-parse: `__proto__` and `constructor.prototype` are refused).
 */
export function parseJsonBodies(app: NestFastifyApplication): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    if (!isUtf8(body)) return done(new ValidationFailedError('The request body is not valid UTF-8.'), undefined);
    parse(request as FastifyRequest, body.toString('utf8'), done);
  });
}
