import type { Job } from 'bullmq';
import type { DomainEventType, EventOf, FanoutJobName, FanoutJobs } from '#libs/jobs';

export type EventJob = Job<FanoutJobs['outbox-event']>;

/** What a batch job returns: when its mailbox writes were done, for the event's delivery lag. */
export interface BatchResult {
  finishedAt: number;
}

/**
 * What planning an event did: `children` when it left batch jobs to wait for; for a post it fanned out, the author's
 * follower count, and when the last mailbox was written if that was done inline.
 */
export interface Planned {
  children: boolean;
  fannedOutTo?: number;
  finishedAt?: number;
}

export type JobHandler<N extends FanoutJobName> = (job: Job<FanoutJobs[N]>, token: string) => Promise<unknown>;
export type EventPlanner<T extends DomainEventType> = (event: EventOf<T>, job: EventJob) => Promise<Planned>;

/**
 * One family of fan-out work (post delivery, retraction, follow sync, rebuilds, author timelines, pull mode, demotion): the job
 * names it runs and the outbox event types it plans. The router and the event handler collect them, and refuse to
 * start when a job name or event type has no handler, or two.
 */
export interface FanoutFamily {
  readonly jobs?: { [N in FanoutJobName]?: JobHandler<N> };
  readonly events?: { [T in DomainEventType]?: EventPlanner<T> };
}

/** Injection token: every family, in one list. */
export const FANOUT_FAMILIES = Symbol('FanoutFamilies');

/** Nothing left to wait for: the event's work is done. */
export const DONE: Planned = { children: false };

/**
 * Collects one handler per key from the families; throws (stopping start-up) when a key has none or several.
 */
export function collect<K extends string, H>(
  kind: string,
  keys: readonly K[],
  maps: readonly (Partial<Record<K, H>> | undefined)[],
): Record<K, H> {
  const found = {} as Record<K, H>;
  for (const map of maps) {
    for (const [key, handler] of Object.entries(map ?? {}) as [K, H][]) {
      if (found[key]) throw new Error(`Two handlers for fan-out ${kind} "${key}"`);
      found[key] = handler;
    }
  }
  const missing = keys.filter((key) => typeof found[key] !== 'function');
  if (missing.length) throw new Error(`No handler for fan-out ${kind}(s): ${missing.join(', ')}`);
  return found;
}
