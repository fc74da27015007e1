import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobIds } from '#libs/jobs';
import { FlagsService } from '#libs/flags';
import {
  aMailbox,
  anAuthor,
  anEvent,
  aPost,
  authorTimelineOf,
  aUser,
  deletePost,
  eventRow,
  flagsRow,
  follow,
  mailboxesFor,
  mailboxIds,
  postCreated,
  setPullMode,
  unfollow,
  useFlags,
  userRow,
  type TestUser,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutModule } from './fanout.module.js';

const BATCH = 10;
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
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: BATCH }));

/** Posts and plans a post the way the worker does on its outbox event. */
async function postAndDeliver(author: TestUser) {
  const post = await aPost().by(author).create();
  const event = await anEvent(postCreated(post)).create();
  await fanout.runEvent(event);
  return { post, event };
}

describe('post delivery (post.created)', () => {
  it("writes the post to every follower's mailbox and the author's own, and marks the event delivered", async () => {
    const { author, followers } = await anAuthor().withFollowers(3).withMailboxes().create();
    const stranger = await aUser().create();
    await mailboxesFor([stranger]);
    const { post, event } = await postAndDeliver(author);
    for (const owner of [author, ...followers]) expect(await mailboxIds(owner)).toEqual([post.id]);
    expect(await mailboxIds(stranger)).toEqual([]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('skips followers without a mailbox (a rebuild makes it from PostgreSQL later)', async () => {
    const { author, followers } = await anAuthor().withFollowers(2).create();
    await aMailbox().for(followers[0]!).create();
    const { post } = await postAndDeliver(author);
    expect(await mailboxIds(followers[0]!)).toEqual([post.id]);
    expect(await mailboxIds(followers[1]!)).toBeNull();
  });

  it('does not write to a follower who unfollowed before the batch ran, though Redis still lists the author', async () => {
    const { author, followers } = await anAuthor().withFollowers(2).withMailboxes().create();
    // The mailbox's following set still holds the author: only PostgreSQL knows of the unfollow when the batch runs.
    await unfollow(followers[0]!).of(author);
    const { post } = await postAndDeliver(author);
    expect(await mailboxIds(followers[0]!)).toEqual([]);
    expect(await mailboxIds(followers[1]!)).toEqual([post.id]);
  });

  it('does not deliver a post deleted before it was planned, and still settles the event', async () => {
    const { author, followers } = await anAuthor().withFollowers(2).withMailboxes().create();
    const post = await aPost().by(author).create();
    const event = await anEvent(postCreated(post)).create();
    await deletePost(post);
    await fanout.runEvent(event);
    for (const owner of [author, ...followers]) expect(await mailboxIds(owner)).toEqual([]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('leaves one child batch job per range for a large author, ids from the event id, and delivers when they ran', async () => {
    await fanout.empty();
    const { author, followers } = await anAuthor()
      .withFollowers(2 * BATCH + 3)
      .withMailboxes()
      .create();
    const post = await aPost().by(author).create();
    const event = await anEvent(postCreated(post)).create();
    await fanout.enqueueEvent(event);

    const parent = (await fanout.next())!;
    expect(parent.job.id).toBe(`evt-${event.eventId}`);
    expect(await fanout.process(parent)).toBe('waiting-children');
    // Spelled out: a retried plan must find the same ids (BullMQ then ignores the second add).
    const batches = [0, 1, 2].map((i) => `evt-${event.eventId}-b${i}`);
    expect((await fanout.waitingIds('deliver-batch')).sort()).toEqual(batches);
    expect((await eventRow(event.eventId)).deliveredAt).toBeNull();
    expect(await mailboxIds(followers[0]!)).toEqual([]);

    // The batches run (as workers take them), then the event's job resumes and settles the event.
    const ran = await fanout.drainThroughRouter();
    expect(ran).toEqual([...batches, parent.job.id]);
    for (const owner of [author, ...followers]) expect(await mailboxIds(owner)).toEqual([post.id]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('leaves a post on its followers alone under pull', async () => {
    await useFlags({ strategy: 'pull' });
    const { author, followers } = await anAuthor().withFollowers(1).withMailboxes().create();
    await postAndDeliver(author);
    expect(await mailboxIds(followers[0]!)).toEqual([]);
    expect((await userRow(author)).pullMode).toBe(false);
  });
});

describe('post delivery under hybrid', () => {
  it("does not fan out a celebrity's post: their timeline holds it and they enter pull mode, announced", async () => {
    await useFlags({ strategy: 'hybrid', celebrityThreshold: 3 });
    const { author, followers, posts } = await anAuthor().withFollowers(3).withPosts(1).withMailboxes().create();
    const version = (await flagsRow()).version;
    const { post } = await postAndDeliver(author);

    for (const owner of [author, ...followers]) expect(await mailboxIds(owner)).toEqual([]);
    expect(await authorTimelineOf(author)).toEqual({ ids: [post.id, posts[0]!.id], floor: '0' });
    expect(await userRow(author)).toMatchObject({ pullMode: true, pullVersion: 1 });
    expect((await flagsRow()).version).toBeGreaterThan(version);
    expect(services.get(FlagsService).current().pullAuthors.has(author.id)).toBe(true);
  });

  it('fans out below the threshold', async () => {
    await useFlags({ strategy: 'hybrid', celebrityThreshold: 3 });
    const { author, followers } = await anAuthor().withFollowers(2).withMailboxes().create();
    const { post } = await postAndDeliver(author);
    expect(await mailboxIds(followers[1]!)).toEqual([post.id]);
    expect(await userRow(author)).toMatchObject({ pullMode: false, pullVersion: 0 });
  });

  it('asks for the demotion of an author still in pull mode whose post is fanned out again', async () => {
    await useFlags({ strategy: 'hybrid', celebrityThreshold: 3 });
    const { author, followers } = await anAuthor().withFollowers(2).withMailboxes().create();
    const pullVersion = await setPullMode(author, true);
    const { post } = await postAndDeliver(author);
    expect(await mailboxIds(followers[0]!)).toEqual([post.id]);
    const demotion = await fanout.queue.queue.getJob(jobIds.demote(author.id, pullVersion));
    expect(demotion?.data).toEqual({ authorId: author.id, pullVersion });
    expect((await userRow(author)).pullMode).toBe(true);
  });

  it('does not request a demotion for a celebrity who stays one', async () => {
    await useFlags({ strategy: 'hybrid', celebrityThreshold: 2 });
    const { author } = await anAuthor().withFollowers(2).create();
    const pullVersion = await setPullMode(author, true);
    await follow(await aUser().create()).of(author);
    await postAndDeliver(author);
    expect(await fanout.queue.queue.getJob(jobIds.demote(author.id, pullVersion))).toBeUndefined();
    expect(await userRow(author)).toMatchObject({ pullMode: true, pullVersion: pullVersion + 1 });
  });
});
