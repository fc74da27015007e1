import type { Strategy } from '#libs/contract';

// The shape of the validated configuration (app-config.ts reads and checks the environment into it).

export interface TimelineFlags {
  strategy: Strategy;
  celebrityThreshold: number;
  mailboxSize: number;
  fanoutBatchSize: number;
}

export interface AppConfig {
  databaseUrl: string;
  /** A streaming replica of databaseUrl for reads that may lag (pull reads, hydration, author timelines); or null. */
  databaseReadUrl: string | null;
  redisUrl: string;
  /** Seed nodes of a Redis Cluster (host:port); when set, everything in Redis lives on the cluster, not redisUrl. */
  redisClusterNodes: { host: string; port: number }[] | null;
  /** Prefix of every Redis key and BullMQ queue of this deployment (tests use their own). */
  redisPrefix: string;
  /** Hash-tag groups users' and posts' keys are spread over (one Redis Cluster slot each); the same in every process. */
  redisShards: number;
  host: string;
  port: number;
  adminToken: string;
  /** True when ADMIN_TOKEN was not set and the published local default is in use. */
  adminTokenIsDefault: boolean;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** JSON lines, or coloured text for a person at a terminal (the default only when stdout is a TTY). */
  logFormat: 'json' | 'pretty';
  /** Flags given in the environment (undefined when not set): the API applies them at start-up. */
  envFlags: Partial<TimelineFlags>;
  defaultFlags: TimelineFlags;
  flagsPollMs: number;
  fanoutConcurrency: number;
  outboxSweepMs: number;
  /** First retry delay of a fan-out job; each next one doubles (ten attempts in all). */
  fanoutRetryDelayMs: number;
  /** An undelivered event enqueued this long ago may have lost its job (Redis flushed): enqueue it again. */
  outboxReenqueueMs: number;
  /** How often each process publishes its measurements to Redis for the admin metrics call. */
  metricsPublishMs: number;
  /** The worker serves Prometheus metrics on this port when set (the API serves them at /metrics). */
  workerMetricsPort: number | null;
  /** When set, /metrics (API and worker) answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  /** How many accounts one user may follow. */
  maxFollowing: number;
  /** Browser origins allowed to call the API (CORS): '*' or a list. */
  corsOrigins: '*' | string[];
  limits: Limits;
  production: boolean;
  /** Bounds on every dependency call and request, so an outage answers fast instead of hanging (see README). */
  timeouts: Timeouts;
}

/** What one client may cost the others (README, "Limits"). */
export interface Limits {
  /** PostgreSQL connections per process. */
  dbPoolSize: number;
  /** Timeline reads through the SQL join at once per user and process; more are RATE_LIMITED. */
  pullReadsPerUser: number;
  /** Timeline reads through the SQL join at once per process; more wait, so writes keep connections of their own. */
  pullReadConcurrency: number;
  /** Requests per second per bearer token, and per client address for requests without one (all API processes). */
  requestsPerToken: number;
  requestsPerAddress: number;
  /** Failed authentications per client address in ten seconds, before the address is refused for the rest of them. */
  authFailuresPerAddress: number;
  /** Take the client address from X-Forwarded-For (behind a load balancer), as Fastify's `trustProxy`. */
  trustProxy: boolean;
}

export interface Timeouts {
  /** Waiting for a PostgreSQL connection (pool full or server unreachable). */
  dbConnectMs: number;
  /** PostgreSQL's statement_timeout; the client gives up a little later if the server does not answer at all. */
  dbStatementMs: number;
  /** Any Redis command or queue call, including the enqueue after a write commits. */
  redisCommandMs: number;
  /** Receiving a whole request (a body trickled byte by byte is cut off with 408). */
  requestMs: number;
  /** Each readiness check. */
  healthCheckMs: number;
  /** SIGTERM: how long in-flight requests and jobs may take to finish before the process exits anyway. */
  shutdownGraceMs: number;
}
