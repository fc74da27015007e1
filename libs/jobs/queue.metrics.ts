import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '#libs/metrics';
import { FanoutQueue } from './fanout.queue.js';

/** Saturation: the fan-out queue's depth by job state, read when Prometheus scrapes. */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queue: FanoutQueue,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('fanout_queue_jobs', 'Fan-out queue jobs by state', ['state'], async () =>
      Object.entries(await this.queue.depths()).map(([state, value]) => ({ labels: { state }, value })),
    );
  }
}
