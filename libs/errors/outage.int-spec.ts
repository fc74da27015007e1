import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { RedisService } from '#libs/redis';
import { PrivateRedis } from '../../test/support/private.redis.js';
import { freePort } from '../../test/support/processes.js';
import { testConfig } from '../../test/support/test-config.js';
import { DeadlineError, isOutage, withDeadline } from './outage.js';

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
      expect(isOutage(await failure(refused.client.ping()))).toBe(true);
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
      expect(isOutage(await failure(prisma.$queryRaw`SELECT 1`))).toBe(true);
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

  it('knows a deadline, and nothing else by default', async () => {
    const late = await failure(withDeadline(new Promise(() => undefined), 20, 'the probe'));
    expect(late).toBeInstanceOf(DeadlineError);
    expect(isOutage(late)).toBe(true);
    expect(isOutage(new Error('boom'))).toBe(false);
    expect(isOutage(undefined)).toBe(false);
  });
});
