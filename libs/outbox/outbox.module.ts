import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { FANOUT_QUEUE } from './fanout.jobs.js';
import { FanoutStatusService } from './fanout-status.service.js';
import { FanoutQueue } from './fanout.queue.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxService } from './outbox.service.js';
import { QueueMetrics } from './queue.metrics.js';

@Module({
  imports: [BullModule.registerQueue({ name: FANOUT_QUEUE })],
  providers: [OutboxRepository, OutboxService, FanoutQueue, FanoutStatusService, QueueMetrics],
  exports: [OutboxRepository, OutboxService, FanoutQueue, FanoutStatusService],
})
export class OutboxModule {}
