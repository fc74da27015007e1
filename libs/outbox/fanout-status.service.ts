import { Injectable } from '@nestjs/common';
import { FanoutQueue } from '#libs/jobs';
import { OutboxRepository } from './outbox.repository.js';

export interface DeliveryCounts {
  accepted: number;
  delivered: number;
  pending: number;
  failed: number;
}

export interface FanoutStatus extends DeliveryCounts {
  ok: boolean;
  /** Nothing pending and no job waiting, running or delayed: mailboxes reflect every accepted change. */
  idle: boolean;
  byType: Record<string, DeliveryCounts>;
  queue: Record<string, number>;
}

/**
 * Fan-out progress from the outbox. Counted over every event that changes mailboxes (posts, deletes, follows,
 * unfollows, flag changes), so `pending: 0` means mailboxes are up to date; `byType['post.created']` is posts.
 */
@Injectable()
export class FanoutStatusService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: FanoutQueue,
  ) {}

  async status(): Promise<FanoutStatus> {
    const [rows, queue] = await Promise.all([this.outbox.counts(), this.queue.depths()]);
    const byType: Record<string, DeliveryCounts> = {};
    const total: DeliveryCounts = { accepted: 0, delivered: 0, pending: 0, failed: 0 };
    for (const row of rows) {
      const counts = {
        accepted: row.total,
        delivered: row.delivered,
        failed: row.failed,
        pending: row.total - row.delivered - row.failed,
      };
      byType[row.type] = counts;
      for (const key of Object.keys(total) as (keyof DeliveryCounts)[]) total[key] += counts[key];
    }
    const busy =
      (queue.waiting ?? 0) +
      (queue.active ?? 0) +
      (queue.delayed ?? 0) +
      (queue['waiting-children'] ?? 0) +
      (queue.prioritized ?? 0);
    return { ...total, ok: total.failed === 0, idle: total.pending === 0 && busy === 0, byType, queue };
  }
}
