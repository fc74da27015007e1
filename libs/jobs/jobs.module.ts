import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { FANOUT_QUEUE } from './fanout.jobs.js';
import { FanoutQueue } from './fanout.queue.js';
import { QueueMetrics } from './queue.metrics.js';

/** The fan-out queue and its producer. The app decides the Redis connection (BullModule.forRoot). */
@Module({
  imports: [BullModule.registerQueue({ name: FANOUT_QUEUE })],
  providers: [FanoutQueue, QueueMetrics],
  exports: [FanoutQueue],
})
export class JobsModule {}
