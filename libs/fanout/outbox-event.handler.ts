import { Inject, Injectable } from '@nestjs/common';
import { WaitingChildrenError } from 'bullmq';
import { DOMAIN_EVENT_TYPES, type DomainEvent, type DomainEventType } from '#libs/jobs';
import { MetricsService } from '#libs/metrics';
import { OutboxRepository } from '#libs/outbox';

import {
  collect,
  FANOUT_FAMILIES,
  type BatchResult,
  type EventJob,
  type EventPlanner,
  type FanoutFamily,
} from './fanout.family.js';
import { followerBucket, postTimeMs } from '#libs/contract';
import { FanoutFailures } from './fanout.failures.js';
import { timed } from './fanout.timing.js';

/**
 * The job of one outbox event: the event's family plans it (doing the work inline, or leaving batch jobs as children
 * of this job), this job waits for the children, and only then marks the event delivered, so "nothing pending" means
 * every mailbox is up to date.
 */
@Injectable()
export class OutboxEventHandler {
  private readonly planners: { [T in DomainEventType]: EventPlanner<T> };

  constructor(
    @Inject(FANOUT_FAMILIES) families: FanoutFamily[],
    private readonly outbox: OutboxRepository,
    private readonly failures: FanoutFailures,
    private readonly metrics: MetricsService,
  ) {
    this.planners = collect(
      'event type',
      DOMAIN_EVENT_TYPES,
      families.map((f) => f.events),
    ) as { [T in DomainEventType]: EventPlanner<T> };
  }

  async handle(job: EventJob, token: string): Promise<void> {
    const { eventId, event } = job.data;
    if (job.data.step !== 'wait') {
      const plan = this.planners[event.type] as EventPlanner<DomainEvent['type']>;
      const planned = await timed(this.metrics, 'plan', event.type, () => plan(event as never, job));
      if (!planned.children) {
        // Done inline (most posts: their followers fit one batch): no child jobs to wait for.
        if (event.type === 'post.created' && planned.fannedOutTo !== undefined && planned.finishedAt) {
          this.recordLag(event.payload.postId, planned.fannedOutTo, planned.finishedAt);
        }
        await this.outbox.markDelivered(eventId);
        return;
      }
      await job.updateData({ ...job.data, step: 'wait', fannedOutTo: planned.fannedOutTo });
    }
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    const failures = Object.values(await job.getIgnoredChildrenFailures());
    if (failures.length > 0) {
      await this.failures.giveUp(eventId, `${failures.length} batch(es) failed: ${failures[0]}`);
      return;
    }
    if (event.type === 'post.created' && job.data.fannedOutTo !== undefined) {
      await this.recordDeliveryLag(job, event.payload.postId, job.data.fannedOutTo);
    }
    await this.outbox.markDelivered(eventId);
  }

  /** Post committed → its last mailbox written (the latest batch's finish), by the author's follower count. */
  private async recordDeliveryLag(job: EventJob, postId: string, followers: number): Promise<void> {
    const results = Object.values(await job.getChildrenValues<BatchResult | null>());
    const finishedAt = Math.max(...results.map((r) => r?.finishedAt ?? 0));
    if (finishedAt > 0) this.recordLag(postId, followers, finishedAt);
  }

  private recordLag(postId: string, followers: number, finishedAt: number): void {
    this.metrics.stage('delivery_lag', followerBucket(followers), (finishedAt - postTimeMs(postId)) * 1000);
  }
}
