import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request a job descends from, across await boundaries: the worker enters it for each job (from the id the job
 * carries), so every line logged for the job and every job it adds carry that id (the queue producer reads it). The
 * API does not use it: a request's id goes explicitly to the changes it commits (an AsyncLocalStorage per request
 * makes every promise dearer on Node 20; the API's reads measured a sixth slower).
 */
export interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export const RequestContext = {
  run<T>(requestId: string | undefined, work: () => T): T {
    return requestId === undefined ? work() : storage.run({ requestId }, work);
  },
  /** The current request's id; undefined outside a request or job (the relay's sweep, start-up). */
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};

// An incoming X-Request-Id is taken as it is only when it is short and plain: it goes into every log line and job of
// the request, so a client must not be able to write control characters, JSON or a megabyte into them.
const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The id a request goes by: the caller's `X-Request-Id` when acceptable, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED_ID.test(header) ? header : randomUUID();
}
