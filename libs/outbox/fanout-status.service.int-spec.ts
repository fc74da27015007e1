import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutQueue } from '#libs/jobs';
import { anEvent, aUser, followCreated, type EventBuilder } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutStatusService, type DeliveryCounts } from './fanout-status.service.js';
import { OutboxModule } from './outbox.module.js';

let services: Services;
let status: FanoutStatusService;

beforeAll(async () => {
  services = await startServices([OutboxModule]);
  status = services.get(FanoutStatusService);
});
afterAll(() => services?.close());

async function event(build: (event: EventBuilder) => EventBuilder) {
  const [a, b] = await aUser().createMany(2);
  return build(anEvent(followCreated(a!, b!))).create();
}

const minus = (a: DeliveryCounts, b: DeliveryCounts) => ({
  accepted: a.accepted - b.accepted,
  delivered: a.delivered - b.delivered,
  pending: a.pending - b.pending,
  failed: a.failed - b.failed,
});

describe('FanoutStatusService.status', () => {
  it('counts accepted = delivered + pending + failed, in all and by event type', async () => {
    const before = await status.status();
    await event((e) => e);
    await event((e) => e.enqueuedAt(new Date()));
    await event((e) => e.delivered());
    await event((e) => e.failed());
    const after = await status.status();

    expect(minus(after, before)).toEqual({ accepted: 4, delivered: 1, pending: 2, failed: 1 });
    const follows = after.byType['follow.created']!;
    const { accepted, delivered, pending, failed } = follows;
    expect(accepted).toBe(delivered + pending + failed);
    expect(after.accepted).toBe(after.delivered + after.pending + after.failed);
    expect(after).toMatchObject({ ok: false, idle: false });
  });

  it('reports the queue depth by state, and is not idle while a job waits', async () => {
    const before = await status.status();
    const job = await services.get(FanoutQueue).add('rebuild-all', { requestedAt: 0 }, 'status-probe');
    const busy = await status.status();
    expect(busy.queue.waiting).toBe((before.queue.waiting ?? 0) + 1);
    expect(busy.idle).toBe(false);
    await job.remove();
  });
});
