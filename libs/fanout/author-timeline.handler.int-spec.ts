import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  aPost,
  authorTimelineOf,
  aUser,
  buildAuthorTimeline,
  idsOf,
  newestFirst,
  useFlags,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { AuthorTimelineHandler, authorTimelineCap } from './author-timeline.handler.js';
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
beforeEach(() =>
  useFlags({ strategy: 'hybrid', celebrityThreshold: 1000, mailboxSize: MAILBOX, fanoutBatchSize: 100 }),
);

describe('author timelines (author-timeline-build)', () => {
  it("builds an author's live posts from PostgreSQL, newest first", async () => {
    const author = await aUser().create();
    const posts = await aPost().by(author).createMany(3);
    await aPost().by(author).deleted().create();
    await fanout.run('author-timeline-build', { authorId: author.id });
    expect(await authorTimelineOf(author)).toEqual({ ids: idsOf(newestFirst(posts)), floor: '0' });
  });

  it('keeps at most the cap, with the floor at the oldest kept post (older ones are read from PostgreSQL)', async () => {
    expect(authorTimelineCap(MAILBOX)).toBe(MAILBOX);
    expect(authorTimelineCap(5000)).toBe(200);
    const author = await aUser().create();
    const kept = newestFirst(
      await aPost()
        .by(author)
        .createMany(MAILBOX + 2),
    ).slice(0, MAILBOX);
    await fanout.run('author-timeline-build', { authorId: author.id });
    expect(await authorTimelineOf(author)).toEqual({ ids: idsOf(kept), floor: kept[MAILBOX - 1]!.id });
  });

  it('appends and retracts only once the timeline is built', async () => {
    const author = await aUser().create();
    const handler = services.get(AuthorTimelineHandler);
    const [first, second] = await aPost().by(author).createMany(2);
    await handler.append({ postId: first!.id, authorId: author.id }, MAILBOX);
    expect(await authorTimelineOf(author)).toBeNull();

    await buildAuthorTimeline(author);
    const third = await aPost().by(author).create();
    await handler.append({ postId: third.id, authorId: author.id }, MAILBOX);
    await handler.retract({ postId: second!.id, authorId: author.id });
    expect((await authorTimelineOf(author))?.ids).toEqual([third.id, first!.id]);
  });
});
