import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutModule } from '#libs/fanout';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { anEvent, aUser, eventRow, followCreated, type EventBuilder } from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxModule } from './outbox.module.js';
import { OutboxRelay } from './outbox.relay.js';

let services: Services;
let relay: OutboxRelay;
let fanout: FanoutHarness;

beforeAll(async () => {
  services = await startServices([OutboxModule, FanoutModule]);
  relay = services.get(OutboxRelay);
  fanout = new FanoutHarness(services);
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});

const queue = () => services.get(FanoutQueue).queue;
const ago = (ms: number) => new Date(Date.now() - ms);

async function event(build: (event: EventBuilder) => EventBuilder = (e) => e) {
  const [a, b] = await aUser().createMany(2);
  return build(anEvent(followCreated(a!, b!))).create();
}

/** The queue's jobs (any state) that carry this event. */
async function jobsOf(eventId: string) {
  const jobs = await queue().getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'], 0, -1);
  return jobs.filter((j) => j.data?.eventId === eventId);
}

describe('OutboxRelay.sweep', () => {
  it('enqueues an event the fast path never enqueued, and records that it did', async () => {
    const stranded = await event();
    expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
    expect((await queue().getJob(jobIds.event(stranded.eventId)))?.data).toEqual(stranded);
    expect((await eventRow(stranded.eventId)).enqueuedAt).not.toBeNull();
  });

  it('re-enqueues an undelivered event enqueued long ago whose job was lost (Redis flushed)', async () => {
    const lost = await event((e) => e.enqueuedAt(ago(services.config.outboxReenqueueMs + 60_000)));
    await relay.sweep();
    expect(await jobsOf(lost.eventId)).toHaveLength(1);
    expect((await eventRow(lost.eventId)).enqueuedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('leaves recently enqueued, delivered and failed events alone', async () => {
    const recent = await event((e) => e.enqueuedAt(new Date()));
    const delivered = await event((e) => e.delivered());
    const failed = await event((e) => e.failed());
    await relay.sweep();
    for (const e of [recent, delivered, failed]) expect(await jobsOf(e.eventId)).toEqual([]);
  });

  it('does not double a job still queued: the job id derives from the event id', async () => {
    const queued = await event((e) => e.enqueuedAt(ago(services.config.outboxReenqueueMs + 60_000)));
    await services.get(FanoutQueue).add('outbox-event', queued, jobIds.event(queued.eventId));
    await relay.sweep();
    // A second sweep, as if time went on past the re-enqueue delay again.
    await relay.sweep(new Date(Date.now() + services.config.outboxReenqueueMs + 60_000));
    expect(await jobsOf(queued.eventId)).toHaveLength(1);
  });

  it('adds again, under the same id, an event whose job failed for good without its give-up being recorded', async () => {
    await fanout.empty();
    const given = await event((e) => e.enqueuedAt(ago(services.config.outboxReenqueueMs + 60_000)));
    await services.get(FanoutQueue).add('outbox-event', given, jobIds.event(given.eventId));
    await fanout.failForGood((await fanout.next())!, 'retries used up while PostgreSQL was down');
    expect(await queue().getJobState(jobIds.event(given.eventId))).toBe('failed');
    expect(await relay.sweep()).toBeGreaterThanOrEqual(1);
    expect(await queue().getJobState(jobIds.event(given.eventId))).toBe('waiting');
    expect(await jobsOf(given.eventId)).toHaveLength(1);
  });

  it('pages past events whose jobs are alive, so one sweep reaches every stranded event', async () => {
    const old = ago(services.config.outboxReenqueueMs + 60_000);
    const alive = await event((e) => e.enqueuedAt(old));
    await services.get(FanoutQueue).add('outbox-event', alive, jobIds.event(alive.eventId));
    const lost = await event((e) => e.enqueuedAt(old));
    await relay.sweep();
    expect(await jobsOf(alive.eventId)).toHaveLength(1);
    expect(await jobsOf(lost.eventId)).toHaveLength(1);
  });

  it('does not add again an event whose job delivered it and finished after the sweep read it as undelivered', async () => {
    await fanout.empty();
    const old = ago(services.config.outboxReenqueueMs + 60_000);
    const [kept, removed] = [await event((e) => e.enqueuedAt(old)), await event((e) => e.enqueuedAt(old))];
    // What a sweep read before the jobs ran: both undelivered.
    const readBefore = await services
      .get(OutboxRepository)
      .findStranded(1000, new Date(), String(BigInt(kept.eventId) - 1n));
    expect(readBefore.map((e) => e.eventId)).toEqual(expect.arrayContaining([kept.eventId, removed.eventId]));
    // One job is kept once complete, the other removed (the queue's removeOnComplete): "completed" and "unknown" to
    // the sweep.
    for (const { eventId, event: data } of [kept, removed]) {
      const removeOnComplete = eventId === removed.eventId;
      await queue().add('outbox-event', { eventId, event: data }, { jobId: jobIds.event(eventId), removeOnComplete });
      expect(await fanout.process((await fanout.next())!)).toBe('completed');
    }
    expect(await services.get(OutboxDispatcher).redispatch(readBefore)).toBe(0);
    expect(await queue().getJobState(jobIds.event(kept.eventId))).toBe('completed');
    expect(await jobsOf(removed.eventId)).toEqual([]);
  });
});
