import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request a piece of work belongs to, across await boundaries: the API enters it for each HTTP request, the worker
 * for each job (from the id the job carries). The outbox and the queue producer read it, so a post's event, its jobs
 * and the jobs those spawn carry the id of the request that wrote the post, and their log lines can be found by it.
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
