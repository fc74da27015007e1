import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { UnavailableError } from '#libs/errors';
import { PrivateRedis } from '#libs/contract';
import { RedisService } from '#libs/redis';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { testConfig } from '../../test/support/test-config.js';
import { HealthModule } from './health.module.js';
import { PostgresIndicator } from './postgres.indicator.js';
import { ReadinessService } from './readiness.service.js';
import { RedisIndicator } from './redis.indicator.js';

let services: Services;
beforeAll(async () => {
  services = await startServices([HealthModule.forRoot()]);
});
afterAll(() => services.close());

describe('ReadinessService', () => {
  it('is ready when PostgreSQL and Redis answer', async () => {
    expect(await services.get(ReadinessService).check()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  it('answers UNAVAILABLE naming the dependency that does not answer', async () => {
    // A Redis connection to a port where nothing listens (port 1 is reserved and never served here).
    const unreachable = new RedisService(testConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
    unreachable.client.on('error', () => {});
    try {
      const readiness = new ReadinessService(
        [new PostgresIndicator(services.get(PrismaService)), new RedisIndicator(unreachable)],
        testConfig(),
      );
      const failure = await readiness.check().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnavailableError);
      // Named, without the driver's text (which names the address).
      expect((failure as Error).message).toBe('not ready: postgres ok; redis unavailable');
    } finally {
      unreachable.client.disconnect();
    }
  });

  it('gives up on a Redis that does not answer (frozen) within the check timeout', async () => {
    // A Redis of this test's own, frozen with SIGSTOP: connected, and silent.
    const server = await PrivateRedis.start();
    // The command timeout is longer than the check's, so it is the check that gives up.
    const frozen = new RedisService(testConfig({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '5000' }));
    try {
      await frozen.client.ping();
      server.freeze();
      const readiness = new ReadinessService(
        [new PostgresIndicator(services.get(PrismaService)), new RedisIndicator(frozen)],
        testConfig({ HEALTH_CHECK_TIMEOUT_MS: '200' }),
      );
      const started = Date.now();
      const failure = await readiness.check().catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(2000);
      expect((failure as Error).message).toBe('not ready: postgres ok; redis timed out');
    } finally {
      frozen.client.disconnect();
      await server.stop();
    }
  });
});
