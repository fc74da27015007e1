import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../libs/config/index.js';

export const ADMIN_TOKEN = 'test-admin-token-123';

/** Config for this test file: the run's database, and (by default) a Redis prefix of the file's own. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `${inject('redisPrefix')}-${randomBytes(3).toString('hex')}`,
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    FLAGS_POLL_MS: '100',
    OUTBOX_SWEEP_MS: '500',
    OUTBOX_REENQUEUE_MS: '2000',
    // Several shards, as on a Redis Cluster, so the tests exercise the grouping of work by slot.
    REDIS_SHARDS: '16',
    // Tests drive one client at machine speed from one address: the limits are out of the way except where a test
    // sets them (test/e2e/limits.e2e-spec.ts, libs/auth).
    RATE_LIMIT_PER_TOKEN: '1000000',
    RATE_LIMIT_PER_ADDRESS: '1000000',
    AUTH_FAILURES_PER_ADDRESS: '1000000',
    PULL_READS_PER_USER: '1000',
    // The e2e-cluster project runs the same tests on a local Redis Cluster (cluster-setup.ts).
    ...(inject('clusterNodes') && { REDIS_CLUSTER_NODES: inject('clusterNodes') }),
    ...overrides,
  });
}

export function envOf(config: AppConfig, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    ...(config.redisClusterNodes && {
      REDIS_CLUSTER_NODES: config.redisClusterNodes.map(({ host, port }) => `${host}:${port}`).join(','),
    }),
    REDIS_PREFIX: config.redisPrefix,
    ADMIN_TOKEN: config.adminToken,
    LOG_LEVEL: config.logLevel,
    FLAGS_POLL_MS: String(config.flagsPollMs),
    OUTBOX_SWEEP_MS: String(config.outboxSweepMs),
    OUTBOX_REENQUEUE_MS: String(config.outboxReenqueueMs),
    REDIS_SHARDS: String(config.redisShards),
    RATE_LIMIT_PER_TOKEN: String(config.limits.requestsPerToken),
    RATE_LIMIT_PER_ADDRESS: String(config.limits.requestsPerAddress),
    AUTH_FAILURES_PER_ADDRESS: String(config.limits.authFailuresPerAddress),
    PULL_READS_PER_USER: String(config.limits.pullReadsPerUser),
    ...extra,
  };
}

let handleCounter = 0;
/** Unique handles across files of one run (all share the run's database). */
export function uniqueHandle(stem = 'u'): string {
  handleCounter += 1;
  return `${stem}_${process.pid.toString(36)}_${handleCounter}_${randomBytes(2).toString('hex')}`.slice(0, 30);
}
