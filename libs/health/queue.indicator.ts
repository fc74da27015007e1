import { Injectable } from '@nestjs/common';
import { FanoutQueue } from '#libs/jobs';
import type { HealthIndicator } from './health.indicator.js';

/**
 * The fan-out queue answers on its own connection (BullMQ's, not the process's command connection): a worker whose
 * queue connection is gone takes no jobs even while PING on the other one succeeds.
 */
@Injectable()
export class QueueIndicator implements HealthIndicator {
  readonly name = 'queue';

  constructor(private readonly queue: FanoutQueue) {}

  async check(): Promise<void> {
    await this.queue.ping();
  }
}
