import { Injectable } from '@nestjs/common';
import { UnavailableError } from '#libs/errors';
import type { HealthIndicator } from './health.indicator.js';
import { PostgresIndicator } from './postgres.indicator.js';
import { RedisIndicator } from './redis.indicator.js';

export type Readiness = { status: 'ok' } & Record<string, string>;

/** Ready when every dependency answers; otherwise 503 UNAVAILABLE naming what did not. */
@Injectable()
export class ReadinessService {
  private readonly indicators: HealthIndicator[];

  constructor(postgres: PostgresIndicator, redis: RedisIndicator) {
    this.indicators = [postgres, redis];
  }

  async check(): Promise<Readiness> {
    const results = await Promise.all(
      this.indicators.map((indicator) =>
        indicator.check().then(
          () => [indicator.name, 'ok'] as const,
          (error: Error) => [indicator.name, error.message] as const,
        ),
      ),
    );
    const failed = results.filter(([, result]) => result !== 'ok');
    if (failed.length > 0) {
      throw new UnavailableError(`not ready: ${results.map(([name, result]) => `${name} ${result}`).join('; ')}`);
    }
    return { status: 'ok', ...Object.fromEntries(results) };
  }
}
