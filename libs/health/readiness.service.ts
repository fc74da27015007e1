import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { UnavailableError, withDeadline } from '#libs/errors';
import type { HealthIndicator } from './health.indicator.js';

/** The indicators a process's readiness consists of (HealthModule.forRoot decides which). */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');

export type Readiness = { status: 'ok' } & Record<string, string>;

/**
 * Ready when every dependency answers (all checked at once, each within HEALTH_CHECK_TIMEOUT_MS); otherwise 503
 * UNAVAILABLE naming which did not. The answer never carries the driver's error text (it names addresses and users): that goes to the log.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private readonly indicators: HealthIndicator[];
  private readonly timeoutMs: number;

  constructor(@Inject(HEALTH_INDICATORS) indicators: HealthIndicator[], @Inject(APP_CONFIG) config: AppConfig) {
    this.indicators = indicators;
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
