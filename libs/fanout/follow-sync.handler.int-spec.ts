import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MailboxStore } from '#libs/mailbox';
import {
  aMailbox,
  anEvent,
  aPost,
  aUser,
  eventRow,
  follow,
  followCreated,
  followRemoved,
  idsOf,
  mailboxFloor,
  mailboxIds,
  newestFirst,
  unfollow,
  useFlags,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutModule } from './fanout.module.js';

const MAILBOX = 10;
let services: Services;
let fanout: FanoutHarness;

beforeAll(async () => {
  services = await startServices([FanoutModule]);
  fanout = new FanoutHarness(services);
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: MAILBOX, fanoutBatchSize: 100 }));

/** A reader with a mailbox, and someone with `posts` posts whom the reader does not follow yet. */
async function readerAndFollowee(posts: number) {
  const [reader, followee] = await aUser().createMany(2);
  await aMailbox().for(reader!).create();
  return { reader: reader!, followee: followee!, posts: await aPost().by(followee!).createMany(posts) };
}

const run = async (event: Parameters<typeof anEvent>[0]) => fanout.runEvent(await anEvent(event).create());

describe('follow sync (follow.created, follow.removed)', () => {
  it("backfills the followee's posts on follow, and accepts their later deliveries", async () => {
    const { reader, followee, posts } = await readerAndFollowee(3);
    await follow(reader).of(followee);
    const event = await anEvent(followCreated(reader, followee)).create();
    await fanout.runEvent(event);
    expect(await mailboxIds(reader)).toEqual(idsOf(newestFirst(posts)));
    expect(await mailboxFloor(reader)).toBe('0');
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();

    const later = await aPost().by(followee).create();
    await services.get(MailboxStore).deliver([reader.id], [{ postId: later.id, authorId: followee.id }], MAILBOX);
    expect((await mailboxIds(reader))?.[0]).toBe(later.id);
  });

  it('raises the floor when the followee has more posts than a mailbox holds', async () => {
    const { reader, followee, posts } = await readerAndFollowee(MAILBOX + 2);
    await follow(reader).of(followee);
    await run(followCreated(reader, followee));
    const newest = newestFirst(posts).slice(0, MAILBOX);
    expect(await mailboxIds(reader)).toEqual(idsOf(newest));
    // Older posts exist but are not here: reads below this floor must go to PostgreSQL.
    expect(await mailboxFloor(reader)).toBe(newest[MAILBOX - 1]!.id);
  });

  it("retracts the followee's posts on unfollow, and refuses their later deliveries", async () => {
    const { reader, followee, posts } = await readerAndFollowee(2);
    const other = await aUser().create();
    const kept = await aPost().by(other).create();
    await follow(reader).ofAll([followee, other]);
    await aMailbox()
      .for(reader)
      .holding([...posts, kept])
      .create();
    await unfollow(reader).of(followee);
    await run(followRemoved(reader, followee));
    expect(await mailboxIds(reader)).toEqual([kept.id]);

    const late = { postId: (await aPost().by(followee).create()).id, authorId: followee.id };
    await services.get(MailboxStore).deliver([reader.id], [late], MAILBOX);
    expect(await mailboxIds(reader)).toEqual([kept.id]);
  });

  it('does nothing for a follower without a mailbox (a rebuild will make it)', async () => {
    const [reader, followee] = await aUser().createMany(2);
    await aPost().by(followee!).create();
    await follow(reader!).of(followee!);
    await run(followCreated(reader!, followee!));
    expect(await mailboxIds(reader!)).toBeNull();
  });
});

describe('follow sync out of order', () => {
  it('ends unfollowed when follow.created runs after follow.removed of a follow, unfollow history', async () => {
    const { reader, followee } = await readerAndFollowee(2);
    await follow(reader).of(followee);
    await unfollow(reader).of(followee);
    await run(followRemoved(reader, followee));
    await run(followCreated(reader, followee));
    expect(await mailboxIds(reader)).toEqual([]);
  });

  it('ends followed when follow.removed runs last in a follow, unfollow, follow history', async () => {
    const { reader, followee, posts } = await readerAndFollowee(2);
    await follow(reader).of(followee);
    await unfollow(reader).of(followee);
    await follow(reader).of(followee);
    const created = await anEvent(followCreated(reader, followee)).create();
    const removed = await anEvent(followRemoved(reader, followee)).create();
    await fanout.runEvent(created);
    await fanout.runEvent(removed);
    expect(await mailboxIds(reader)).toEqual(idsOf(newestFirst(posts)));
    expect((await eventRow(removed.eventId)).deliveredAt).not.toBeNull();
  });
});
