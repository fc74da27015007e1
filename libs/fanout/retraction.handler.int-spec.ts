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
  it('takes the post out of every mailbox and the author timeline, and tombstones it in the post cache', async () => {
    const graph = await delivered(2);
    const [kept, gone, alsoKept] = graph.posts;
    await deletePost(gone!);
    const event = await anEvent(postDeleted(gone!)).create();
    await fanout.runEvent(event);

    const remaining = idsOf(newestFirst([kept!, alsoKept!]));
    for (const owner of [graph.author, ...graph.followers]) expect(await mailboxIds(owner)).toEqual(remaining);
    expect((await authorTimelineOf(graph.author))?.ids).toEqual(remaining);
    expect(await services.get(PostCacheStore).getMany([gone!.id, kept!.id])).toEqual(['deleted', undefined]);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });

  it('retracts from a large author in child batch jobs, then settles the event', async () => {
    await fanout.empty();
    const graph = await delivered(BATCH + 1);
    const gone = graph.posts[1]!;
    await deletePost(gone);
    const event = await anEvent(postDeleted(gone)).create();
    await fanout.enqueueEvent(event);

    expect(await fanout.process((await fanout.next())!)).toBe('waiting-children');
    expect((await fanout.waitingIds('retract-batch')).sort()).toEqual([0, 1].map((i) => `evt-${event.eventId}-b${i}`));
    await fanout.drainThroughRouter();
    for (const owner of [graph.author, ...graph.followers]) expect(await mailboxIds(owner)).not.toContain(gone.id);
    expect(await mailboxIds(graph.followers[BATCH]!)).toHaveLength(2);
    expect((await eventRow(event.eventId)).deliveredAt).not.toBeNull();
  });
});
