import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { RedisService } from '#libs/redis';
import { PrivateRedis } from '#libs/contract';
import { freePort } from '../../test/support/processes.js';
import { testConfig } from '../../test/support/test-config.js';
import { DeadlineError, isOutage, isRedisOutage, withDeadline } from './outage.js';

// The shapes outages really take, produced against real servers: a port nobody listens on, a Redis frozen with
// SIGSTOP, a statement past its timeout. What is not an outage (a constraint, a syntax error) must stay a 500.

let redis: PrivateRedis;
let closedPort: number;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  closedPort = await freePort();
});
afterAll(() => redis?.stop());

const failure = (work: Promise<unknown>) =>
  work.then(
    () => new Error('resolved'),
    (error: unknown) => error,
  );

describe('isOutage', () => {
  it('knows Redis refused, and Redis frozen past REDIS_COMMAND_TIMEOUT_MS', async () => {
    const refused = new RedisService(testConfig({ REDIS_URL: `redis://127.0.0.1:${closedPort}` }));
    const frozen = new RedisService(testConfig({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' }));
    try {
      const refusal = await failure(refused.client.ping());
      expect(isOutage(refusal)).toBe(true);
      expect(isRedisOutage(refusal)).toBe(true);
      await frozen.client.ping();
      redis.freeze();
      const started = Date.now();
      const error = await failure(frozen.client.get('anything'));
      expect(Date.now() - started).toBeLessThan(1500);
      expect(isOutage(error)).toBe(true);
    } finally {
      redis.thaw();
      refused.client.disconnect();
      frozen.client.disconnect();
    }
  });

  it('knows PostgreSQL refused, through Prisma and through the prepared statements', async () => {
    const prisma = new PrismaService(testConfig({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/x` }));
    try {
      const refusal = await failure(prisma.$queryRaw`SELECT 1`);
      expect(isOutage(refusal)).toBe(true);
      // A PostgreSQL outage is not one a caller may route around by reading PostgreSQL.
      expect(isRedisOutage(refusal)).toBe(false);
      expect(isOutage(await failure(prisma.prepared('outage-probe', 'SELECT 1', [])))).toBe(true);
    } finally {
      await prisma.onModuleDestroy();
    }
  });

  it('knows a statement ended by statement_timeout, and not a constraint or a syntax error', async () => {
    const prisma = new PrismaService(testConfig({ DB_STATEMENT_TIMEOUT_MS: '100' }));
    try {
      expect(isOutage(await failure(prisma.$queryRaw`SELECT pg_sleep(2)`))).toBe(true);
      expect(isOutage(await failure(prisma.prepared('outage-sleep', 'SELECT pg_sleep(2)', [])))).toBe(true);
      expect(isOutage(await failure(prisma.prepared('outage-syntax', 'SELEC 1', [])))).toBe(false);
      const handle = `dup_${Date.now().toString(36)}`;
      await prisma.user.create({ data: { handle, displayName: handle } });
      expect(isOutage(await failure(prisma.user.create({ data: { handle, displayName: handle } })))).toBe(false);
    } finally {
      await prisma.onModuleDestroy();
    }
  });

  it('knows a Redis that is up but refuses writes (OOM under noeviction)', async () => {
    const full = new RedisService(testConfig({ REDIS_URL: redis.url }));
    try {
      await full.client.config('SET', 'maxmemory', '1');
      const error = await failure(full.client.set('one-more', 'x'));
      expect((error as Error).message).toMatch(/^OOM/);
      expect(isRedisOutage(error)).toBe(true);
      expect(isOutage(error)).toBe(true);
    } finally {
      await full.client.config('SET', 'maxmemory', '0');
      full.client.disconnect();
    }
  });

  it('knows a deadline, and nothing else by default', async () => {
    const late = await failure(withDeadline(new Promise(() => undefined), 20, 'the probe'));
    expect(late).toBeInstanceOf(DeadlineError);
    expect(isOutage(late)).toBe(true);
    expect(isOutage(new Error('boom'))).toBe(false);
    expect(isOutage(undefined)).toBe(false);
  });
});
