import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostCacheStore } from '#libs/posts';
import {
  aMailbox,
  anAuthor,
  anEvent,
  authorTimelineOf,
  buildAuthorTimeline,
  deletePost,
  eventRow,
  idsOf,
  mailboxIds,
  newestFirst,
  postDeleted,
  useFlags,
  type AuthorGraph,
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

/** An author whose posts sit in their followers' mailboxes, their own, and their author timeline. */
async function delivered(followers: number): Promise<AuthorGraph> {
  const graph = await anAuthor().withFollowers(followers).withPosts(3).create();
  for (const owner of [graph.author, ...graph.followers]) await aMailbox().for(owner).holding(graph.posts).create();
  await buildAuthorTimeline(graph.author);
  return graph;
}

describe('retraction (post.deleted)', () => {
  it('tombstones the post in the post cache and takes it out of the author timeline', async () => {
    const graph = await delivered(2);
    const [kept, gone, alsoKept] = graph.posts;
    await deletePost(gone!);
    const event = await anEvent(postDeleted(gone!)).create();
    await fanout.runEvent(event);

    expect((await authorTimelineOf(graph.author))?.ids).toEqual(idsOf(newestFirst([kept!, alsoKept!])));
    expect(await services.get(PostCacheStore).getMany([gone!.id, kept!.id])).toEqual(['deleted', undefined]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('leaves mailboxes to the read (which drops what hydration knows is deleted): no job per follower', async () => {
    await fanout.empty();
    const graph = await delivered(BATCH + 1);
    const gone = graph.posts[1]!;
    await deletePost(gone);
    const event = await anEvent(postDeleted(gone)).create();
    await fanout.enqueueEvent(event);

    expect(await fanout.process((await fanout.next())!)).toBe('completed');
    expect(await fanout.next()).toBeUndefined();
    expect(await mailboxIds(graph.followers[BATCH]!)).toContain(gone.id);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });
});
