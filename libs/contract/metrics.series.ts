import type { CounterSeries, EncodedSeries } from './histogram.math.js';

// The names and shapes of what the product measures. The recorders (libs/metrics, libs/fanout) and the readers (the
// bench, the report, the tests) take them from here, so a renamed series cannot leave a reader looking for the old one.

/** Series names shared by the recorders and the readers. */
export const SERIES = {
  httpRequest: 'http.request',
  httpResponses: 'http.responses',
  stage: (stage: Stage) => `fanout.${stage}`,
  mailboxWrites: 'fanout.mailbox_writes',
  posts: 'fanout.posts',
} as const;

/**
 * Worker stages: `plan` turns an event into batch jobs; `batch` is one batch job (followers read + mailbox write);
 * `batch_write` the pipelined mailbox write alone; `delivery_lag` a post's commit to its last mailbox written;
 * `job_wait` time a job waited in the queue before a worker took it; `rebuild` one mailbox rebuilt from PostgreSQL.
 */
export type Stage = 'plan' | 'batch' | 'batch_write' | 'delivery_lag' | 'job_wait' | 'rebuild';

/** Follower-count classes that label fan-out measurements (the case study's cost grows with followers). */
export const FOLLOWER_BUCKETS = ['0-100', '101-1k', '1k-10k', '10k+'] as const;
export type FollowerBucket = (typeof FOLLOWER_BUCKETS)[number];

export function followerBucket(followers: number): FollowerBucket {
  if (followers <= 100) return '0-100';
  if (followers <= 1000) return '101-1k';
  if (followers <= 10_000) return '1k-10k';
  return '10k+';
}

export type ProcessRole = 'api' | 'worker';

export interface ProcessInfo {
  /** Unique per process start, so a restarted process never continues another's cumulative series. */
  id: string;
  role: ProcessRole;
  pid: number;
  host: string;
  startedAt: string;
}

/** Everything a process has recorded since it started; cumulative, so two snapshots give an interval. */
export interface ProcessSnapshot {
  process: ProcessInfo;
  takenAt: string;
  histograms: EncodedSeries[];
  counters: CounterSeries[];
}
