import { z } from 'zod';
import { DEFAULT_SHARDS, STRATEGIES, type Strategy } from '#libs/contract';
import type { AppConfig, TimelineFlags } from './app-config.types.js';

// The strategy list is part of the API (libs/contract); the product's configuration takes it from there.
export { STRATEGIES, type Strategy };

export const DEFAULT_ADMIN_TOKEN = 'local-admin-token';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/fanout_lab'),
  DATABASE_READ_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'a comma-separated list of host:port')
    .optional(),
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
  FANOUT_CONCURRENCY: int(1, 256).default(32),
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
    databaseReadUrl: e.DATABASE_READ_URL ?? null,
    redisUrl: e.REDIS_URL,
    redisClusterNodes:
      e.REDIS_CLUSTER_NODES?.split(',').map((node) => {
        const [host, port] = node.split(':');
        return { host: host!, port: Number(port) };
      }) ?? null,
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
