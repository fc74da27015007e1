import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { FanoutQueue, jobIds, type DomainEvent } from '#libs/jobs';
import { anEvent, aUser, eventRow, followCreated } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { OutboxModule } from './outbox.module.js';
import { OutboxWriter } from './outbox.writer.js';

let services: Services;
let writer: OutboxWriter;

beforeAll(async () => {
  services = await startServices([OutboxModule]);
  writer = services.get(OutboxWriter);
});
afterAll(() => services?.close());

const prisma = () => services.get(PrismaService);
const lastEventId = async () => (await prisma().outboxEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;
const job = (eventId: string) => services.get(FanoutQueue).queue.getJob(jobIds.event(eventId));

/** A real change (a display name) for the writer to commit with its event. */
async function rename(userId: string, name: string | null) {
  return writer.commit(
    async (tx) => {
      if (name === null) return null;
      await tx.user.update({ where: { id: BigInt(userId) }, data: { displayName: name } });
      return name;
    },
    (): DomainEvent => ({ type: 'flags.changed', payload: { version: -1 } }),
  );
}

describe('OutboxWriter.commit', () => {
  it('commits the change and its event together, then enqueues the job with an id from the event id', async () => {
    const user = await aUser().create();
    const before = await lastEventId();
    expect(await rename(user.id, 'renamed')).toBe('renamed');

    const events = await prisma().outboxEvent.findMany({ where: { id: { gt: before } } });
    expect(events).toHaveLength(1);
    const eventId = events[0]!.id.toString();
    expect(events[0]).toMatchObject({ type: 'flags.changed', payload: { version: -1 }, deliveredAt: null });
    expect(events[0]!.enqueuedAt).not.toBeNull();
    expect((await job(eventId))?.data).toEqual({ eventId, event: { type: 'flags.changed', payload: { version: -1 } } });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).displayName).toBe('renamed');
  });

  it('writes no event for a change that changed nothing (an idempotent repeat)', async () => {
    const user = await aUser().create();
    const before = await lastEventId();
    expect(await rename(user.id, null)).toBeNull();
    expect(await lastEventId()).toBe(before);
  });

  it('writes neither the change nor its event when the change fails', async () => {
    const user = await aUser().create();
    const before = await lastEventId();
    const failing = writer.commit(
      async (tx) => {
        await tx.user.update({ where: { id: BigInt(user.id) }, data: { displayName: 'half-done' } });
        throw new Error('constraint violated');
      },
      (): DomainEvent => ({ type: 'flags.changed', payload: { version: -1 } }),
    );
    await expect(failing).rejects.toThrow('constraint violated');
    expect(await lastEventId()).toBe(before);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: BigInt(user.id) } })).displayName).not.toBe(
      'half-done',
    );
  });
});

describe('OutboxWriter.dispatchAppended', () => {
  it('adds the job of an event its own statement wrote (as a post does), leaving the row as written', async () => {
    const [a, b] = await aUser().createMany(2);
    const enqueuedAt = new Date(Date.now() - 1000);
    const event = await anEvent(followCreated(a!, b!)).enqueuedAt(enqueuedAt).create();
    await writer.dispatchAppended(event.eventId, event.event);
    expect((await job(event.eventId))?.data).toEqual(event);
    expect((await eventRow(event.eventId)).enqueuedAt).toEqual(enqueuedAt);
  });
});
