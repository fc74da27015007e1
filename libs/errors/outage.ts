/**
 * Whether an error means a dependency (PostgreSQL, Redis) is unreachable, not answering or shedding work, as opposed
 * to a bug or a bad request. Outages answer 503 UNAVAILABLE (a client may retry); anything else stays a 500.
 *
 * The drivers report outages in many shapes, and Prisma's driver adapter wraps node-postgres' errors, so the whole
 * `cause` chain is inspected. Every shape listed here was produced against a real stopped, frozen or overloaded
 * server (libs/errors/outage.int-spec.ts).
 */
export function isOutage(error: unknown): boolean {
  if (isRedisOutage(error)) return true;
  for (const link of causeChain(error)) {
    if (OUTAGE_CODES.has(String(link.code ?? ''))) return true;
    if (link.name === 'DeadlineError') return true;
    if (typeof link.message === 'string' && OUTAGE_MESSAGES.test(link.message)) return true;
  }
  return false;
}

/**
 * Whether an error is Redis (ioredis or the queue on it) not answering or refusing work for now: unreachable, not
 * answering in time, or replying that it cannot take writes (OOM under `noeviction`, loading, a read-only replica,
 * a cluster slot without its master). A caller that has a way around Redis takes it on these, and only on these:
 * a PostgreSQL outage must not send it to PostgreSQL twice.
 */
export function isRedisOutage(error: unknown): boolean {
  for (const link of causeChain(error)) {
    if (link.name === 'MaxRetriesPerRequestError') return true;
    if (link.name === 'DeadlineError' && typeof link.message === 'string' && link.message.includes('queue'))
      return true;
    if (typeof link.message === 'string' && (REDIS_MESSAGES.test(link.message) || REDIS_REPLIES.test(link.message))) {
      return true;
    }
  }
  return false;
}

const REDIS_MESSAGES = /Connection is closed|Command timed out|Stream isn't writeable|max retries per request/i;
/** Error replies of a Redis that is up but cannot serve this now. */
const REDIS_REPLIES = /^(OOM|BUSY|LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

const OUTAGE_CODES = new Set([
  // Sockets.
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // PostgreSQL: connection exceptions (class 08), shutting down, starting up, too many connections, statement
  // timeout (57014 is query_canceled, which is how statement_timeout ends a statement).
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  // Prisma: database not reachable, timed out, server closed the connection, pool timeout, transaction not started.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'P2028',
]);

const OUTAGE_MESSAGES = new RegExp(
  [
    'Connection terminated',
    // node-postgres after its pool was ended: a request that outlived a shutdown.
    'Cannot use a pool after calling end',
    'timeout exceeded when trying to connect',
    'Query read timeout',
    "Can't reach database server",
    'canceling statement due to statement timeout',
    'Unable to start a transaction in the given time',
    'Client has encountered a connection error',
  ].join('|'),
  'i',
);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** The error, its causes, an AggregateError's members and a Prisma error's driver error, at most 10 deep. */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const link = next as ErrorLike;
    chain.push(link);
    queue.push(link.cause, link.meta?.driverAdapterError);
    if (Array.isArray(link.errors)) queue.push(...link.errors);
  }
  return chain;
}

/** A dependency call that took longer than its budget (see `withDeadline`). */
export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Waits at most `ms` for `work`. What it was doing is not cancelled, only no longer waited for: use it for calls
 * that are safe to complete late (an idempotent enqueue, a health probe).
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
