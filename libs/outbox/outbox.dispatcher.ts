import { Injectable, Logger } from '@nestjs/common';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { OutboxRepository, type PendingEvent } from './outbox.repository.js';

/** Puts committed outbox events on the fan-out queue, one job per event, its id derived from the event's. */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: FanoutQueue,
  ) {}

  /**
   * Fast path, called after the transaction that wrote the events committed. The job id derives from the event
   * id, so the relay's sweep can enqueue the same event again without a second fan-out. A failure here loses
   * nothing: the event is committed and the sweep enqueues it (after OUTBOX_REENQUEUE_MS for events written as
   * already enqueued, `markedEnqueued`).
   */
  async dispatch(events: PendingEvent[], { markedEnqueued = false } = {}): Promise<void> {
    try {
      await this.queue.withinRequestBudget(markedEnqueued ? this.addJobs(events) : this.enqueue(events));
    } catch (error) {
      this.logger.warn(`fast-path enqueue failed, the outbox sweep will retry: ${(error as Error).message}`);
    }
  }

  async enqueue(events: PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.addJobs(events);
    await this.outbox.markEnqueued(events.map((e) => e.eventId));
  }

  /**
   * The relay's way: each event whose job is missing from the queue (never added, or lost with Redis) is added; one
   * whose job finished without delivering it (it failed for good while its give-up could not be recorded, say with
   * PostgreSQL down) is removed and added again, under the same id, for a new round of retries; a job still queued or
   * running is left alone, so an event is never fanned out twice. The events were read as undelivered before their
   * jobs' states: a job that delivered its event and finished in between (or was removed once complete) looks
   * finished or missing, so the outbox is read again after the states, and only events still pending then are added
   * (a job marks its event delivered before it completes). Without that second look a sweep over a busy queue fanned
   * out a quarter of a backlog's posts twice. Returns how many were (re)added.
   */
  async redispatch(events: PendingEvent[]): Promise<number> {
    const finished: PendingEvent[] = [];
    const states = new Map<string, string>();
    for (const pending of events) {
      const state = await this.queue.stateOf(jobIds.event(pending.eventId));
      if (state === 'failed' || state === 'completed' || state === 'unknown') {
        finished.push(pending);
        states.set(pending.eventId, state);
      }
    }
    const pending = await this.outbox.stillPending(finished.map((e) => e.eventId));
    const due = finished.filter((e) => pending.has(e.eventId));
    for (const { eventId } of due) {
      if (states.get(eventId) !== 'unknown') await this.queue.remove(jobIds.event(eventId));
    }
    await this.enqueue(due);
    return due.length;
  }

  private async addJobs(events: PendingEvent[]): Promise<void> {
    await this.queue.addBulk(
      'outbox-event',
      events.map(({ eventId, event, requestId }) => ({
        data: { eventId, event, ...(requestId !== undefined && { requestId }) },
        jobId: jobIds.event(eventId),
      })),
    );
  }
}
