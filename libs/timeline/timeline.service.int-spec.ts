import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlagsService } from '#libs/flags';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { MailboxStore } from '#libs/mailbox';
import { PostsRepository } from '#libs/posts';
import {
  aMailbox,
  aPost,
  aUser,
  deletePost,
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

let services: Services;
let timeline: TimelineService;

beforeAll(async () => {
  services = await startServices([TimelineModule]);
  timeline = services.get(TimelineService);
});
afterAll(() => services?.close());
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: 100 }));

const epoch = () => services.get(FlagsService).current().mailboxEpoch;
const pullIds = async (reader: TestUser) =>
  (await services.get(PostsRepository).pullPage(reader.id, null, 100)).map((row) => row.id.toString());
const rebuildRequested = async (reader: TestUser) =>
  (await services.get(FanoutQueue).queue.getJob(jobIds.rebuild(reader.id, epoch(), 'lazy')))?.data;

/** A reader following two authors who posted in turns (`perAuthor` each), and a post of the reader's own. */
async function readerWithPosts(perAuthor: number): Promise<{ reader: TestUser; posts: TestPost[] }> {
  const [reader, a, b] = await aUser().createMany(3);
  await follow(reader!).ofAll([a!, b!]);
  const posts: TestPost[] = [await aPost().by(reader!).create()];
  for (let i = 0; i < perAuthor; i++) posts.push(await aPost().by(a!).create(), await aPost().by(b!).create());
  return { reader: reader!, posts: newestFirst(posts) };
}

describe('push reads', () => {
  it('come from the mailbox, hydrated with author and body', async () => {
    const { reader, posts } = await readerWithPosts(2);
    // Holding fewer posts than PostgreSQL has shows where the page came from.
    const held = [posts[0]!, posts[3]!];
    await aMailbox().for(reader).holding(held).create();
    const page = await timeline.read(reader.id, undefined, undefined, 10);
    expect(page).toMatchObject({ strategy: 'push', source: 'mailbox', nextCursor: null });
    expect(idsOf(page.items)).toEqual(idsOf(held));
    expect(page.items[0]).toMatchObject({ body: posts[0]!.body, author: { id: posts[0]!.authorId } });
  });

  it('are served from PostgreSQL, with a rebuild requested, when the mailbox is missing', async () => {
    const { reader } = await readerWithPosts(2);
    const page = await timeline.read(reader.id, undefined, undefined, 10);
    expect(page.source).toBe('database');
    expect(idsOf(page.items)).toEqual(await pullIds(reader));
    expect(await rebuildRequested(reader)).toEqual({ userId: reader.id, epoch: epoch() });
  });

  it('bypass a mailbox of an older epoch, or one being rebuilt', async () => {
    const { reader, posts } = await readerWithPosts(1);
    await aMailbox()
      .for(reader)
      .holding(posts.slice(1))
      .atEpoch(epoch() - 1)
      .create();
    const stale = await timeline.read(reader.id, undefined, undefined, 10);
    expect(stale.source).toBe('database');
    expect(idsOf(stale.items)).toEqual(idsOf(posts));
    expect(await rebuildRequested(reader)).toBeDefined();

    await aMailbox().for(reader).holding(posts).create();
    await services.get(MailboxStore).beginBuild(reader.id);
    expect((await timeline.read(reader.id, undefined, undefined, 10)).source).toBe('database');
  });

  it('read PostgreSQL under pull, requested or global, whatever the mailbox holds', async () => {
    const { reader, posts } = await readerWithPosts(1);
    await aMailbox().for(reader).holding([posts[0]!]).create();
    const requested = await timeline.read(reader.id, 'pull', undefined, 10);
    expect(requested).toMatchObject({ strategy: 'pull', source: 'database' });
    expect(idsOf(requested.items)).toEqual(idsOf(posts));
    await useFlags({ strategy: 'pull' });
    expect(await timeline.read(reader.id, 'push', undefined, 10)).toMatchObject({
      strategy: 'push',
      source: 'database',
    });
  });
});

describe('mailbox pages', () => {
  it('below the floor come from PostgreSQL', async () => {
    const { reader, posts } = await readerWithPosts(3);
    await aMailbox().for(reader).holding(posts.slice(0, 3)).withFloor(posts[2]!.id).create();
    const page = await timeline.read(reader.id, undefined, undefined, 5);
    expect(page.source).toBe('mailbox');
    expect(idsOf(page.items)).toEqual(idsOf(posts.slice(0, 5)));
    expect((await readAllPages(timeline, reader, 2)).flat()).toEqual(idsOf(posts));
  });

  it('drop deleted posts and read further to fill the page', async () => {
    const { reader, posts } = await readerWithPosts(3);
    await aMailbox().for(reader).holding(posts).create();
    await deletePost(posts[1]!);
    await deletePost(posts[2]!);
    const page = await timeline.read(reader.id, undefined, undefined, 3);
    expect(idsOf(page.items)).toEqual(idsOf([posts[0]!, posts[3]!, posts[4]!]));
    expect(page.nextCursor).not.toBeNull();
  });

  it('page with cursors without gaps or repeats, from the mailbox and from PostgreSQL alike', async () => {
    const { reader, posts } = await readerWithPosts(3);
    const fromDatabase = await readAllPages(timeline, reader, 3);
    expect(fromDatabase.flat()).toEqual(idsOf(posts));
    expect(fromDatabase.map((page) => page.length)).toEqual([3, 3, 1]);
    await aMailbox().for(reader).holding(posts).create();
    expect((await timeline.read(reader.id, undefined, undefined, 3)).source).toBe('mailbox');
    expect((await readAllPages(timeline, reader, 3)).flat()).toEqual(idsOf(posts));
  });
});
