import { DynamicModule, Module } from '@nestjs/common';
import { MetricsPublisher } from './metrics.publisher.js';
import type { ProcessRole } from '#libs/contract';
import { METRICS_ROLE, MetricsService } from './metrics.service.js';
import { MetricsStore } from './metrics.store.js';

/** Global: any library may record; the app says which role the process plays. */
@Module({})
export class MetricsModule {
  static forRoot(role: ProcessRole): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      providers: [{ provide: METRICS_ROLE, useValue: role }, MetricsService, MetricsStore, MetricsPublisher],
      exports: [MetricsService, MetricsStore],
    };
  }
}
