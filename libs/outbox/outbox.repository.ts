import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import type { DomainEvent } from '#libs/jobs';

/** An event committed to the outbox, with its id: what the dispatcher enqueues. */
export interface PendingEvent {
  eventId: string;
  event: DomainEvent;
  /** The request that wrote it; the relay passes it on to the job, so its fan-out lines can be found by it. */
  requestId?: string;
}

export interface OutboxCounts {
  type: string;
  total: number;
  delivered: number;
  failed: number;
}

type Db = Prisma.TransactionClient | PrismaService;

/**
 * The statement that appends one event per row of `source` (a CTE name) inside a caller's statement, as `name`,
 * returning the event's `id`. For hot paths that write their change and its event in one statement (a post); the
 * outbox's columns are still spelled only here. The event counts as enqueued from the start: the caller enqueues it
 * right after the commit, and the relay re-enqueues it after OUTBOX_REENQUEUE_MS should that not happen.
 */
export function appendFromCte(
  name: string,
  source: string,
  type: DomainEvent['type'],
  payloadSql: string,
  requestIdSql = 'NULL',
): string {
  return `${name} AS (
    INSERT INTO outbox (type, payload, enqueued_at, request_id)
    SELECT '${type}', ${payloadSql}, now(), ${requestIdSql} FROM ${source}
    RETURNING id
  )`;
}

/** The outbox table: events written in the transaction of the change they describe, then their delivery state. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly prisma: PrismaService) {}

  async append(tx: Db, event: DomainEvent, requestId?: string): Promise<string> {
    const row = await tx.outboxEvent.create({
      data: {
        type: event.type,
        payload: event.payload as Prisma.InputJsonObject,
        requestId: requestId ?? null,
      },
      select: { id: true },
    });
    return row.id.toString();
  }

  /** On every post's path (API and worker): prepared statements. */
  async markEnqueued(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.prisma.prepared(
      'outbox-enqueued',
      'UPDATE outbox SET enqueued_at = now() WHERE id = ANY($1::bigint[])',
      [eventIds],
    );
  }

  async markDelivered(eventId: string): Promise<void> {
    await this.prisma.prepared(
      'outbox-delivered',
      'UPDATE outbox SET delivered_at = now(), failed_at = NULL, last_error = NULL WHERE id = $1 AND delivered_at IS NULL',
      [eventId],
    );
  }

  async markFailed(eventId: string, error: string): Promise<void> {
    await this.prisma.outboxEvent.updateMany({
      where: { id: BigInt(eventId), deliveredAt: null },
      data: { failedAt: new Date(), lastError: error.slice(0, 2000) },
    });
  }

  /** Of these events, those neither delivered nor failed now (the relay's second look, after the job's state). */
  async stillPending(eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.prisma.prepared<{ id: string }>(
      'outbox-still-pending',
      'SELECT id FROM outbox WHERE id = ANY($1::bigint[]) AND delivered_at IS NULL AND failed_at IS NULL',
      [eventIds],
    );
    // pg returns int8 as a string: the event ids as the rest of the code spells them.
    return new Set(rows.map((r) => String(r.id)));
  }

  /**
   * Undelivered events never enqueued, or enqueued long enough ago that their job may have been lost or given up,
   * oldest first, after `afterId` (the sweep pages through them).
   */
  async findStranded(limit: number, enqueuedBefore: Date, afterId = '0'): Promise<PendingEvent[]> {
    const rows = await this.prisma.outboxEvent.findMany({
      where: {
        id: { gt: BigInt(afterId) },
        deliveredAt: null,
        failedAt: null,
        OR: [{ enqueuedAt: null }, { enqueuedAt: { lt: enqueuedBefore } }],
      },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((r) => ({
      eventId: r.id.toString(),
      event: { type: r.type, payload: r.payload } as DomainEvent,
      ...(r.requestId !== null && { requestId: r.requestId }),
    }));
  }

  async counts(): Promise<OutboxCounts[]> {
    const rows = await this.prisma.$queryRaw<
      { type: string; total: bigint; delivered: bigint; failed: bigint }[]
    >`SELECT type, count(*) AS total, count(delivered_at) AS delivered, count(failed_at) AS failed
      FROM outbox GROUP BY type`;
    return rows.map((r) => ({
      type: r.type,
      total: Number(r.total),
      delivered: Number(r.delivered),
      failed: Number(r.failed),
    }));
  }
}
