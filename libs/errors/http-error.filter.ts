import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError } from './domain.errors.js';
import { isOutage } from './outage.js';
import { codeForStatus, type ErrorCode } from '#libs/contract';

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
}

/** Fastify raises these before a route runs (bad JSON, wrong content type, body too large). */
interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    return { statusCode: error.status, code: error.code, message: error.message };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const message = status === 404 ? 'No such route.' : httpMessage(error);
    return { statusCode: status, code: codeForStatus(status), message };
  }
  const framework = error as FrameworkError;
  const status = framework?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = framework.code?.startsWith('FST_ERR_CTP') ? frameworkMessage(framework) : 'Bad request.';
    return { statusCode: status, code: codeForStatus(status), message };
  }
  if (isOutage(error)) {
    return {
      statusCode: 503,
      code: 'UNAVAILABLE',
      message: 'A service this request needs is unavailable; retry shortly.',
    };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal error.' };
}

function httpMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
}

function frameworkMessage(error: FrameworkError): string {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Request body is too large.';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Send JSON with Content-Type: application/json.';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'Request body is empty; send a JSON object.';
  return 'Request body is not valid JSON.';
}

const logger = new Logger('HttpErrorFilter');

/** The one place errors become HTTP: a stable code and a message, never a stack trace (only logged, for 5xx). */
export function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const body = toErrorBody(error);
  if (body.statusCode === 503) {
    // An outage is expected to pass: the operator sees it once per request as a warning, the client when to retry.
    logger.warn(`${body.message} (${(error as Error)?.message ?? String(error)})`);
    reply.header('retry-after', '1');
  } else if (body.statusCode === 429) {
    const after = error instanceof RateLimitedError ? error.retryAfterSeconds : undefined;
    if (!reply.hasHeader('retry-after')) reply.header('retry-after', String(after ?? 1));
  } else if (body.statusCode >= 500) logger.error((error as Error)?.stack ?? String(error));
  return reply.status(body.statusCode).header('content-type', 'application/json').send(body);
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods the path of a request that matched no route does take, from the router itself: a path that exists
 * with another method is 405 with `Allow`, not 404.
 */
function allowedMethods(request: FastifyRequest): string[] {
  const path = request.url.split('?')[0]!;
  return METHODS.filter((method) => request.server.findRoute({ method, url: path }) !== null);
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    // Nest's answer when no route matched: "Cannot <METHOD> <url>".
    if (error instanceof NotFoundException && /^Cannot [A-Z]+ /.test(error.message)) {
      const allowed = allowedMethods(http.getRequest<FastifyRequest>());
      if (allowed.length > 0) {
        reply.header('allow', allowed.join(', '));
        const message = `This path takes ${allowed.join(', ')}.`;
        void sendError(reply, new MethodNotAllowedException(message));
        return;
      }
    }
    void sendError(reply, error);
  }
}
