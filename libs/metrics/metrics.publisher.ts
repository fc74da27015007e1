import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { MetricsService } from './metrics.service.js';
import { MetricsStore } from './metrics.store.js';

/** Publishes this process's snapshot every METRICS_PUBLISH_MS. */
@Injectable()
export class MetricsPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly store: MetricsStore,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.publish(), this.config.metricsPublishMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async publish(): Promise<void> {
    try {
      await this.store.publish(this.metrics.snapshot());
    } catch (error) {
      // Measurements must never take the service down; the next interval tries again.
      this.logger.warn(`publishing metrics failed: ${(error as Error).message}`);
    }
  }
}
