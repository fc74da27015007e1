import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import type { DomainEvent } from '#libs/jobs';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The one way a change that moves mailboxes is written: the change and its outbox event in one transaction, then the
 * event dispatched to the queue. Whatever happens after the commit, the event is not lost (the relay sweeps it).
 */
@Injectable()
export class OutboxWriter {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  /**
   * Runs `change` in a transaction and appends the event `eventOf` derives from its result (with the id of the request
   * that made the change, which its jobs carry on). A change that returns
   * null changed nothing (an idempotent repeat): no event is written. Returns the change's result.
   */
  async commit<T>(
    change: (tx: Prisma.TransactionClient) => Promise<T | null>,
    eventOf: (result: T) => DomainEvent,
    requestId?: string,
  ): Promise<T | null> {
    const committed = await this.prisma.$transaction(async (tx) => {
      const result = await change(tx);
      if (result === null) return null;
      const event = eventOf(result);
      return { result, pending: { eventId: await this.outbox.append(tx, event, requestId), event, requestId } };
    });
    if (committed === null) return null;
    await this.dispatcher.dispatch([committed.pending]);
    return committed.result;
  }

  /**
   * For a change whose statement appended its own event (see appendFromCte), already committed and written as
   * enqueued: only the job is added.
   */
  async dispatchAppended(eventId: string, event: DomainEvent, requestId?: string): Promise<void> {
    await this.dispatcher.dispatch([{ eventId, event, requestId }], { markedEnqueued: true });
  }
}
