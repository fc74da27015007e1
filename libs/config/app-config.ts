import { z } from 'zod';
import { DEFAULT_SHARDS, STRATEGIES, type Strategy } from '#libs/contract';

// The strategy list is part of the API (libs/contract); the product's configuration takes it from there.
export { STRATEGIES, type Strategy };

export interface TimelineFlags {
  strategy: Strategy;
  celebrityThreshold: number;
  mailboxSize: number;
  fanoutBatchSize: number;
}

export interface AppConfig {
  databaseUrl: string;
  redisUrl: string;
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

export const DEFAULT_ADMIN_TOKEN = 'local-admin-token';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/fanout_lab'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'letters, digits, "_" or "-", at most 40')
    .default('fl'),
  REDIS_SHARDS: int(1, 16384).default(DEFAULT_SHARDS),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(1, 65535).default(3000),
  ADMIN_TOKEN: z.string().min(12, 'must be at least 12 characters').default(DEFAULT_ADMIN_TOKEN),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  TIMELINE_STRATEGY: z.enum(STRATEGIES).optional(),
  CELEBRITY_THRESHOLD: int(1, 1_000_000_000).optional(),
  MAILBOX_SIZE: int(10, 100_000).optional(),
  FANOUT_BATCH_SIZE: int(10, 100_000).optional(),
  FLAGS_POLL_MS: int(50, 1000).default(250),
  FANOUT_CONCURRENCY: int(1, 256).default(8),
  OUTBOX_SWEEP_MS: int(100, 600_000).default(2000),
  FANOUT_RETRY_DELAY_MS: int(10, 600_000).default(500),
  OUTBOX_REENQUEUE_MS: int(500, 3_600_000).default(5_000),
  METRICS_PUBLISH_MS: int(100, 60_000).default(1000),
  WORKER_METRICS_PORT: int(1, 65535).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  NODE_ENV: z.string().optional(),
  MAX_FOLLOWING: int(1, 10_000_000).default(5000),
  CORS_ORIGINS: z
    .string()
    .regex(/^(\*|https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*)$/, '"*" or a comma-separated list of http(s) origins')
    .default('*'),
  DB_POOL_SIZE: int(2, 1000).default(10),
  PULL_READS_PER_USER: int(1, 10_000).default(2),
  PULL_READ_CONCURRENCY: int(1, 1000).optional(),
  RATE_LIMIT_PER_TOKEN: int(1, 10_000_000).default(50),
  RATE_LIMIT_PER_ADDRESS: int(1, 10_000_000).default(100),
  AUTH_FAILURES_PER_ADDRESS: int(1, 10_000_000).default(20),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  DB_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2000),
  DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
  REDIS_COMMAND_TIMEOUT_MS: int(50, 60_000).default(1000),
  REQUEST_TIMEOUT_MS: int(1000, 600_000).default(10_000),
  HEALTH_CHECK_TIMEOUT_MS: int(50, 60_000).default(1000),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
});

/** Production refuses an admin token anyone could know or guess. */
const PRODUCTION_ADMIN_TOKEN_LENGTH = 32;

function productionProblems(e: z.infer<typeof schema>): string[] {
  if (e.NODE_ENV !== 'production') return [];
  const token = e.ADMIN_TOKEN;
  if (token === DEFAULT_ADMIN_TOKEN) {
    return ['ADMIN_TOKEN: NODE_ENV=production needs an ADMIN_TOKEN of your own, not the published default'];
  }
  if (token.length < PRODUCTION_ADMIN_TOKEN_LENGTH || new Set(token).size < 10) {
    return [
      `ADMIN_TOKEN: NODE_ENV=production needs at least ${PRODUCTION_ADMIN_TOKEN_LENGTH} characters, 10 of them different (try: openssl rand -base64 32)`,
    ];
  }
  return [];
}

export const DEFAULT_FLAGS: TimelineFlags = {
  strategy: 'hybrid',
  celebrityThreshold: 1000,
  mailboxSize: 800,
  fanoutBatchSize: 2000,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once; every problem is reported with the variable that caused it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.')}=${JSON.stringify(cleaned[String(issue.path[0])])}: ${issue.message}`,
      ),
    );
  }
  const e = parsed.data;
  const problems = productionProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);
  const envFlags: Partial<TimelineFlags> = {
    strategy: e.TIMELINE_STRATEGY,
    celebrityThreshold: e.CELEBRITY_THRESHOLD,
    mailboxSize: e.MAILBOX_SIZE,
    fanoutBatchSize: e.FANOUT_BATCH_SIZE,
  };
  for (const key of Object.keys(envFlags) as (keyof TimelineFlags)[]) {
    if (envFlags[key] === undefined) delete envFlags[key];
  }
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisShards: e.REDIS_SHARDS,
    host: e.HOST,
    port: e.PORT,
    adminToken: e.ADMIN_TOKEN,
    adminTokenIsDefault: e.ADMIN_TOKEN === DEFAULT_ADMIN_TOKEN,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    envFlags,
    defaultFlags: { ...DEFAULT_FLAGS, ...envFlags },
    flagsPollMs: e.FLAGS_POLL_MS,
    fanoutConcurrency: e.FANOUT_CONCURRENCY,
    outboxSweepMs: e.OUTBOX_SWEEP_MS,
    fanoutRetryDelayMs: e.FANOUT_RETRY_DELAY_MS,
    outboxReenqueueMs: e.OUTBOX_REENQUEUE_MS,
    metricsPublishMs: e.METRICS_PUBLISH_MS,
    workerMetricsPort: e.WORKER_METRICS_PORT ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
    maxFollowing: e.MAX_FOLLOWING,
    corsOrigins: e.CORS_ORIGINS === '*' ? '*' : e.CORS_ORIGINS.split(','),
    limits: {
      dbPoolSize: e.DB_POOL_SIZE,
      pullReadsPerUser: e.PULL_READS_PER_USER,
      // Two connections are kept from the join by default: posting and following must not wait behind reads.
      pullReadConcurrency: e.PULL_READ_CONCURRENCY ?? Math.max(1, e.DB_POOL_SIZE - 2),
      requestsPerToken: e.RATE_LIMIT_PER_TOKEN,
      requestsPerAddress: e.RATE_LIMIT_PER_ADDRESS,
      authFailuresPerAddress: e.AUTH_FAILURES_PER_ADDRESS,
      trustProxy: e.TRUST_PROXY === 'true',
    },
    production: e.NODE_ENV === 'production',
    timeouts: {
      dbConnectMs: e.DB_CONNECT_TIMEOUT_MS,
      dbStatementMs: e.DB_STATEMENT_TIMEOUT_MS,
      redisCommandMs: e.REDIS_COMMAND_TIMEOUT_MS,
      requestMs: e.REQUEST_TIMEOUT_MS,
      healthCheckMs: e.HEALTH_CHECK_TIMEOUT_MS,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    },
  };
}

/** Nest logger levels up to and including the configured one. */
export function loggerLevels(level: AppConfig['logLevel']): AppConfig['logLevel'][] {
  const all = ['error', 'warn', 'log', 'debug'] as const;
  return all.slice(0, all.indexOf(level) + 1);
}
