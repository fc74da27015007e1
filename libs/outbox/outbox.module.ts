import { Module } from '@nestjs/common';
import { JobsModule } from '#libs/jobs';
import { FanoutStatusService } from './fanout-status.service.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxWriter } from './outbox.writer.js';

/** The outbox: its table, the writer every change goes through, the dispatcher, the relay (the worker starts it). */
@Module({
  imports: [JobsModule],
  providers: [OutboxRepository, OutboxDispatcher, OutboxWriter, OutboxRelay, FanoutStatusService],
  exports: [OutboxRepository, OutboxWriter, OutboxRelay, FanoutStatusService],
})
export class OutboxModule {}
