import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { RedisService } from '#libs/redis';
import {
  aCelebrity,
  aMailbox,
  aPost,
  aUser,
  buildAuthorTimeline,
  follow,
  idsOf,
  newestFirst,
  useFlags,
  type TestPost,
  type TestUser,
} from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { readAllPages } from '../../test/support/timeline.reader.js';
import { TimelineModule } from './timeline.module.js';
import { TimelineService } from './timeline.service.js';

const THRESHOLD = 2;
let services: Services;
let timeline: TimelineService;

beforeAll(async () => {
  services = await startServices([TimelineModule]);
  timeline = services.get(TimelineService);
});
afterAll(() => services?.close());
beforeEach(() =>
  useFlags({ strategy: 'hybrid', celebrityThreshold: THRESHOLD, mailboxSize: 800, fanoutBatchSize: 100 }),
);

/**
 * A reader following an ordinary author (whose posts are in the reader's mailbox) and a celebrity (whose posts are
 * only in their author timeline), who posted in turns; and a celebrity the reader does not follow, posting meanwhile.
 */
async function hybridReader(rounds: number) {
  const reader = await aUser().create();
  const author = await aUser().create();
  const [followed, unfollowed] = [await aCelebrity().create(), await aCelebrity().create()];
  await follow(reader).ofAll([author, followed.author]);
  const pushed: TestPost[] = [];
  const pulled: TestPost[] = [];
  for (let i = 0; i < rounds; i++) {
    pushed.push(await aPost().by(author).create());
    pulled.push(await aPost().by(followed.author).create());
    await aPost().by(unfollowed.author).create();
  }
  await buildAuthorTimeline(followed.author);
  await buildAuthorTimeline(unfollowed.author);
  await aMailbox().for(reader).holding(pushed).create();
  return { reader, celebrity: followed.author, expected: newestFirst([...pushed, ...pulled]) };
}

const read = (reader: TestUser, limit = 20) => timeline.read(reader.id, undefined, undefined, limit);

describe('hybrid reads', () => {
  it('merge the posts of the pull-mode authors the reader follows into the mailbox, newest first', async () => {
    const { reader, expected } = await hybridReader(3);
    const page = await read(reader);
    expect(page).toMatchObject({ strategy: 'hybrid', source: 'mailbox' });
    expect(idsOf(page.items)).toEqual(idsOf(expected));
  });

  it('page through the merge without gaps or repeats', async () => {
    const { reader, expected } = await hybridReader(4);
    const pages = await readAllPages(timeline, reader, 3);
    expect(pages.flat()).toEqual(idsOf(expected));
    expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
  });

  it("merge the reader's own posts when the reader is in pull mode", async () => {
    const celebrity = await aCelebrity().withPosts(2).create();
    await aMailbox().for(celebrity.author).create();
    expect(idsOf((await read(celebrity.author)).items)).toEqual(idsOf(newestFirst(celebrity.posts)));
  });

  it('read a celebrity from PostgreSQL when Redis lost their timeline, and ask for it to be rebuilt', async () => {
    const { reader, celebrity, expected } = await hybridReader(2);
    const redis = services.get(RedisService);
    await redis.client.del(redis.keys.authorTimeline(celebrity.id), redis.keys.authorTimelineState(celebrity.id));
    expect(idsOf((await read(reader)).items)).toEqual(idsOf(expected));
    const build = await services.get(FanoutQueue).queue.getJob(jobIds.authorTimeline(celebrity.id));
    expect(build?.data).toEqual({ authorId: celebrity.id });
  });

  it('read a celebrity from PostgreSQL below what their timeline holds', async () => {
    const { reader, celebrity, expected } = await hybridReader(2);
    const older = expected.filter((p) => p.authorId === celebrity.id).at(-1)!;
    // The timeline keeps only the newest post (as a trimmed one would): its floor is above the older post.
    const redis = services.get(RedisService);
    await redis.client.zrem(redis.keys.authorTimeline(celebrity.id), `${older.id}:${celebrity.id}`);
    await redis.client.hset(redis.keys.authorTimelineState(celebrity.id), 'floor', expected[0]!.id);
    await redis.client.hincrby(redis.keys.authorTimelineState(celebrity.id), 'version', 1);
    expect(idsOf((await read(reader)).items)).toEqual(idsOf(expected));
  });

  it('read a celebrity from PostgreSQL only down to the mailbox page it is merged with', async () => {
    // The mailbox's first page is all posts of an author the reader no longer follows (dropped at read time), so it
    // is short; the celebrity read from PostgreSQL must not fill it from below it, past mailbox posts not read yet.
    const reader = await aUser().create();
    const [author, gone] = [await aUser().create(), await aUser().create()];
    const { author: celebrity } = await aCelebrity().create();
    await follow(reader).ofAll([author, celebrity]);
    const pushed: TestPost[] = [];
    for (let i = 0; i < 3; i++) pushed.push(await aPost().by(author).create());
    const pulled = await aPost().by(celebrity).create();
    const leftovers: TestPost[] = [];
    for (let i = 0; i < 3; i++) leftovers.push(await aPost().by(gone).create());
    // Redis lost the celebrity's timeline: their posts come from PostgreSQL.
    await buildAuthorTimeline(celebrity);
    const redis = services.get(RedisService);
    await redis.client.del(redis.keys.authorTimeline(celebrity.id), redis.keys.authorTimelineState(celebrity.id));
    await aMailbox()
      .for(reader)
      .holding([...pushed, ...leftovers])
      .create();
    const expected = newestFirst([...pushed, pulled]);
    expect(idsOf((await read(reader, 3)).items)).toEqual(idsOf(expected.slice(0, 3)));
  });
});
