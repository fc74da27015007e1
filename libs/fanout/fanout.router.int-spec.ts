import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlagsService } from '#libs/flags';
import { MetricsService } from '#libs/metrics';
import { OutboxRepository } from '#libs/outbox';
import {
  anAuthor,
  anEvent,
  aPost,
  aUser,
  eventRow,
  flagsRow,
  follow,
  followCreated,
  mailboxesFor,
  mailboxIds,
  postCreated,
  useFlags,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { DemotionHandler } from './demotion.handler.js';
import { FANOUT_FAMILIES, type FanoutFamily } from './fanout.family.js';
import { FanoutFailures } from './fanout.failures.js';
import { FanoutModule } from './fanout.module.js';
import { FanoutRouter } from './fanout.router.js';
import { FollowSyncHandler } from './follow-sync.handler.js';
import { OutboxEventHandler } from './outbox-event.handler.js';
import { RebuildAllHandler } from './rebuild-all.handler.js';

const BATCH = 10;
let services: Services;
let fanout: FanoutHarness;
let families: FanoutFamily[];

beforeAll(async () => {
  services = await startServices([FanoutModule]);
  fanout = new FanoutHarness(services);
  families = services.app.get<FanoutFamily[]>(FANOUT_FAMILIES);
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: BATCH }));

const without = (type: new (...args: never[]) => FanoutFamily) => families.filter((f) => !(f instanceof type));
const eventHandler = (list: FanoutFamily[]) =>
  new OutboxEventHandler(
    list,
    services.get(OutboxRepository),
    services.get(FanoutFailures),
    services.get(MetricsService),
  );
const router = (list: FanoutFamily[]) =>
  new FanoutRouter(list, services.get(OutboxEventHandler), services.get(MetricsService));

describe('start-up', () => {
  it('refuses a job name without a handler, or with two', () => {
    expect(() => router(without(RebuildAllHandler))).toThrow('No handler for fan-out job(s): rebuild-all');
    expect(() => router([...families, services.get(DemotionHandler)])).toThrow(
      'Two handlers for fan-out job "demote-author"',
    );
    expect(() => router(families)).not.toThrow();
  });

  it('refuses an event type without a planner, or with two', () => {
    expect(() => eventHandler(without(DemotionHandler))).toThrow('No handler for fan-out event type(s): flags.changed');
    expect(() => eventHandler([...families, services.get(FollowSyncHandler)])).toThrow(
      'Two handlers for fan-out event type "follow.created"',
    );
  });

  it('refuses to run a job it does not know', async () => {
    const job = await fanout.queue.queue.add('no-such-job', {});
    await expect(services.get(FanoutRouter).handle(job, 'inline')).rejects.toThrow('Unknown fan-out job "no-such-job"');
    await job.remove();
  });
});

describe('an outbox event job', () => {
  it('marks its event delivered once the inline work is done', async () => {
    const [reader, followee] = await aUser().createMany(2);
    const post = await aPost().by(followee!).create();
    await mailboxesFor([reader!]);
    await follow(reader!).of(followee!);
    const event = await anEvent(followCreated(reader!, followee!)).create();
    expect((await eventRow(event.eventId)).deliveredAt).toBeNull();
    await fanout.runEvent(event);
    expect(await mailboxIds(reader!)).toEqual([post.id]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('leaves its event undelivered when planning throws, so the job is retried', async () => {
    const failing: FanoutFamily = {
      events: {
        'follow.created': async () => {
          throw new Error('PostgreSQL went away');
        },
      },
    };
    const handler = eventHandler([
      ...without(FollowSyncHandler),
      failing,
      { events: { 'follow.removed': async () => ({ children: false }) } },
    ]);
    const [a, b] = await aUser().createMany(2);
    const event = await anEvent(followCreated(a!, b!)).create();
    const job = await fanout.queue.add('outbox-event', event, `evt-${event.eventId}`);
    await expect(handler.handle(job, 'inline')).rejects.toThrow('PostgreSQL went away');
    await job.remove();
    expect(await eventRow(event.eventId)).toMatchObject({ deliveredAt: null, failedAt: null });
  });

  it('gives up when a batch used up its attempts: the event is failed and a new mailbox epoch starts', async () => {
    await fanout.empty();
    const { author, followers } = await anAuthor()
      .withFollowers(BATCH + 1)
      .withMailboxes()
      .create();
    const event = await anEvent(postCreated(await aPost().by(author).create())).create();
    const before = await flagsRow();
    await fanout.enqueueEvent(event);
    expect(await fanout.process((await fanout.next())!)).toBe('waiting-children');
    // The first batch fails for good; the second succeeds; the event's job then resumes.
    await fanout.failForGood((await fanout.next())!, 'Redis went away');
    await fanout.drainThroughRouter();

    const row = await eventRow(event.eventId);
    expect(row).toMatchObject({ deliveredAt: null, lastError: expect.stringContaining('1 batch(es) failed') });
    expect(row.failedAt).not.toBeNull();
    expect((await flagsRow()).mailboxEpoch).toBe(before.mailboxEpoch + 1);
    expect(services.get(FlagsService).current().mailboxEpoch).toBe(before.mailboxEpoch + 1);
    // Every mailbox of the old epoch is now bypassed until rebuilt from PostgreSQL.
    expect(await mailboxIds(followers[BATCH]!)).toBeNull();
  });

  it('giving up directly (retries used up) does the same', async () => {
    const [a, b] = await aUser().createMany(2);
    const event = await anEvent(followCreated(a!, b!)).create();
    const epoch = (await flagsRow()).mailboxEpoch;
    await services.get(FanoutFailures).giveUp(event.eventId, 'attempts used up');
    expect(await eventRow(event.eventId)).toMatchObject({ deliveredAt: null, lastError: 'attempts used up' });
    expect((await flagsRow()).mailboxEpoch).toBe(epoch + 1);
  });
});
