import type { Duplex } from 'node:stream';
import { codeForStatus } from '#libs/contract';

/** Request bodies are small JSON (a post is 280 code points); anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const CLIENT_ERRORS: Record<string, { status: number; reason: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', message: 'The request did not arrive in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', message: 'Headers are too large.' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', message: 'Malformed HTTP request.' };

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (malformed, headers too large, too slow): answered with
 * the API's error body, then the connection is closed, as nothing more can be read from it.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ statusCode: status, code: codeForStatus(status), message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
