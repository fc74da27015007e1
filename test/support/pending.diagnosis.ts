import { Queue, type Job } from 'bullmq';
import { Cluster } from 'ioredis';
import pg from 'pg';
import { ApiClient, RedisKeys } from '#libs/contract';
import type { AppConfig } from '#libs/config';
import { FANOUT_QUEUE, jobIds } from '#libs/jobs';
import { queueConnection } from '#libs/redis';

/**
 * waitIdle, and when the fan-out does not drain in time, an error that says where each undelivered event is stuck:
 * the outbox row (enqueued when, last error) and its job in the queue (state, attempts, failure, its batch children's
 * states). A failover test failed once with one event pending for 120 s and nothing to tell why; this is what the next
 * failure should show.
 */
export async function waitIdleOrExplain(api: ApiClient, config: AppConfig, timeoutMs: number) {
  try {
    return await api.waitIdle({ timeoutMs });
  } catch (error) {
    const why = await explainPending(config).catch((e: Error) => `(the diagnosis failed too: ${e.message})`);
    throw new Error(`${(error as Error).message}\n${why}`, { cause: error });
  }
}

interface PendingRow {
  id: string;
  type: string;
  created_at: Date;
  enqueued_at: Date | null;
  last_error: string | null;
}

/**
 * One line per undelivered event (at most 20): its outbox row and its job's state. Bounded (`withinMs`): with Redis or
 * PostgreSQL the broken part, a diagnosis that waited for them would turn the failure it explains into a timeout.
 */
export async function explainPending(config: AppConfig, withinMs = 10_000): Promise<string> {
  const db = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5000 });
  const connection = queueConnection(config);
  const queue = new Queue(FANOUT_QUEUE, {
    connection,
    prefix: new RedisKeys(config.redisPrefix, config.redisShards).bullPrefix(),
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`(no diagnosis within ${withinMs / 1000} s)`), withinMs);
  });
  try {
    const described = describePending(db, queue);
    // Past the deadline its connections are closed under it: that late failure is nobody's to hear.
    described.catch(() => undefined);
    return await Promise.race([described, deadline]);
  } finally {
    clearTimeout(timer);
    // Not awaited: a close can wait on the very connection that did not answer.
    void queue.close().catch(() => undefined);
    // BullMQ closes only connections it made: a Cluster client passed in is the caller's to end.
    if (connection instanceof Cluster) connection.disconnect();
    void db.end().catch(() => undefined);
  }
}

async function describePending(db: pg.Client, queue: Queue): Promise<string> {
  await db.connect();
  const { rows } = await db.query<PendingRow>(
    `SELECT id::text, type, created_at, enqueued_at, last_error FROM outbox
     WHERE delivered_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 20`,
  );
  const lines = await Promise.all(rows.map(async (row) => `${describeRow(row)}; ${await describeJob(queue, row.id)}`));
  const counts = await queue.getJobCounts();
  return [`undelivered events (at most 20): ${rows.length}; queue: ${JSON.stringify(counts)}`, ...lines].join('\n');
}

function describeRow(row: PendingRow): string {
  const at = (date: Date | null) => date?.toISOString() ?? 'never';
  const error = row.last_error ? `, last error ${row.last_error}` : '';
  return `event ${row.id} (${row.type}) created ${at(row.created_at)}, enqueued ${at(row.enqueued_at)}${error}`;
}

async function describeJob(queue: Queue, eventId: string): Promise<string> {
  const id = jobIds.event(eventId);
  const state = await queue.getJobState(id);
  const job = await queue.getJob(id);
  if (!job) return `job ${id}: ${state}`;
  const children = await childStates(queue, job);
  return `job ${id}: ${state}, ${describeAttempts(job)}${children}`;
}

function describeAttempts(job: Job): string {
  const at = (ms?: number) => (ms ? new Date(ms).toISOString() : '-');
  const failed = job.failedReason ? `, failed: ${job.failedReason}` : '';
  return `attempts ${job.attemptsMade}, processed ${at(job.processedOn)}, finished ${at(job.finishedOn)}${failed}`;
}

/** The states of the job's batch children (a post to many followers waits for them). */
async function childStates(queue: Queue, job: Job): Promise<string> {
  const { processed = {}, unprocessed = [] } = await job.getDependencies();
  const shown = await Promise.all(
    unprocessed.slice(0, 10).map(async (key) => {
      const id = key.slice(key.lastIndexOf(':') + 1);
      return `${id} ${await queue.getJobState(id)}`;
    }),
  );
  if (unprocessed.length > shown.length) shown.push(`${unprocessed.length - shown.length} more`);
  const done = Object.keys(processed).length;
  return done + unprocessed.length === 0 ? '' : `, children: ${done} processed, unprocessed [${shown.join(', ')}]`;
}
