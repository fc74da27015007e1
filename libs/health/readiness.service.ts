import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { UnavailableError, withDeadline } from '#libs/errors';
import type { HealthIndicator } from './health.indicator.js';
import { PostgresIndicator } from './postgres.indicator.js';
import { RedisIndicator } from './redis.indicator.js';

export type Readiness = { status: 'ok' } & Record<string, string>;

/**
 * Ready when every dependency answers within HEALTH_CHECK_TIMEOUT_MS; otherwise 503 UNAVAILABLE naming which did not.
 * The answer never carries the driver's error text (it names addresses and users): that goes to the log.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private readonly indicators: HealthIndicator[];
  private readonly timeoutMs: number;

  constructor(postgres: PostgresIndicator, redis: RedisIndicator, @Inject(APP_CONFIG) config: AppConfig) {
    this.indicators = [postgres, redis];
    this.timeoutMs = config.timeouts.healthCheckMs;
  }

  async check(): Promise<Readiness> {
    const results = await Promise.all(this.indicators.map((indicator) => this.probe(indicator)));
    const failed = results.filter(([, result]) => result !== 'ok');
    if (failed.length > 0) {
      throw new UnavailableError(`not ready: ${results.map(([name, result]) => `${name} ${result}`).join('; ')}`);
    }
    return { status: 'ok', ...Object.fromEntries(results) };
  }

  private async probe(indicator: HealthIndicator): Promise<readonly [string, string]> {
    try {
      await withDeadline(indicator.check(), this.timeoutMs, indicator.name);
      return [indicator.name, 'ok'];
    } catch (error) {
      this.logger.warn(`${indicator.name} is not ready: ${(error as Error).message}`);
      return [indicator.name, (error as Error).name === 'DeadlineError' ? 'timed out' : 'unavailable'];
    }
  }
}
