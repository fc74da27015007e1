import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { aPost, aUser, deletePost, userRow, type TestUser } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { PostCacheStore } from './post-cache.store.js';
import { PostsModule } from './posts.module.js';
import { PostsService } from './posts.service.js';

let services: Services;
let posts: PostsService;

beforeAll(async () => {
  services = await startServices([PostsModule]);
  posts = services.get(PostsService);
});
afterAll(() => services?.close());

const prisma = () => services.get(PrismaService);
const eventsAbout = async (postId: string) =>
  (await prisma().outboxEvent.findMany({ orderBy: { id: 'asc' } })).filter(
    (e) => (e.payload as { postId?: string }).postId === postId,
  );
const lastEventId = async () => (await prisma().outboxEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;
const job = (eventId: bigint) => services.get(FanoutQueue).queue.getJob(jobIds.event(eventId.toString()));

describe('PostsService.create', () => {
  it('commits the post, its author count and its outbox event, then enqueues the fan-out job and caches the post', async () => {
    const author = await aUser().create();
    const item = await posts.create(author.id, 'hello 👋');
    expect(item).toMatchObject({ body: 'hello 👋', author: { id: author.id, handle: author.handle } });
    expect(Number(item.id)).toBeLessThanOrEqual(2 ** 53);

    const [event] = await eventsAbout(item.id);
    expect(event).toMatchObject({ type: 'post.created', payload: { postId: item.id, authorId: author.id } });
    expect(event!.enqueuedAt).not.toBeNull();
    expect((await job(event!.id))?.data).toEqual({
      eventId: event!.id.toString(),
      event: { type: 'post.created', payload: { postId: item.id, authorId: author.id } },
    });
    expect((await userRow(author)).postsCount).toBe(1);
    expect(await services.get(PostCacheStore).getMany([item.id])).toEqual([item]);
    expect(await posts.get(item.id)).toEqual(item);
  });

  it('makes one post per idempotency key and author, however often and however concurrently it is sent', async () => {
    const [ann, bob] = await aUser().createMany(2);
    const sent = await Promise.all([1, 2, 3, 4].map(() => posts.create(ann!.id, 'once', 'key-1')));
    expect(new Set(sent.map((p) => p.id)).size).toBe(1);
    expect(await eventsAbout(sent[0]!.id)).toHaveLength(1);
    expect((await userRow(ann!)).postsCount).toBe(1);
    // The key is the author's own: another author's same key is another post; no key is a new post every time.
    const bobs = await posts.create(bob!.id, 'once', 'key-1');
    expect(bobs.id).not.toBe(sent[0]!.id);
    const plain = [await posts.create(ann!.id, 'again'), await posts.create(ann!.id, 'again')];
    expect(plain[0]!.id).not.toBe(plain[1]!.id);
    expect((await userRow(ann!)).postsCount).toBe(3);
    // The same key for another body is a client's mistake, not a retry.
    await expect(posts.create(ann!.id, 'something else', 'key-1')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses an empty, blank or too long body, and an unknown author, writing nothing', async () => {
    const author = await aUser().create();
    const before = await lastEventId();
    await expect(posts.create(author.id, '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(posts.create(author.id, '   ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(posts.create(author.id, 'x'.repeat(281))).rejects.toMatchObject({ code: 'POST_TOO_LONG' });
    await expect(posts.create('999999999', 'orphan')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await lastEventId()).toBe(before);
    expect((await userRow(author)).postsCount).toBe(0);
    // 280 code points is the limit, however many UTF-16 units they take.
    await expect(posts.create(author.id, '👋'.repeat(280))).resolves.toBeDefined();
  });
});

describe('PostsService.delete', () => {
  async function postBy(author: TestUser) {
    return posts.create(author.id, 'to be deleted');
  }

  it('by a non-author is FORBIDDEN and changes nothing', async () => {
    const [author, other] = await aUser().createMany(2);
    const item = await postBy(author!);
    await expect(posts.delete(other!.id, item.id)).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(await posts.get(item.id)).toEqual(item);
    expect((await eventsAbout(item.id)).map((e) => e.type)).toEqual(['post.created']);
    expect((await userRow(author!)).postsCount).toBe(1);
  });

  it('by the author marks it deleted with one post.deleted event and a tombstone; a repeat is a no-op', async () => {
    const author = await aUser().create();
    const item = await postBy(author);
    await posts.delete(author.id, item.id);
    await posts.delete(author.id, item.id);

    const events = await eventsAbout(item.id);
    expect(events.map((e) => e.type)).toEqual(['post.created', 'post.deleted']);
    expect((await job(events[1]!.id))?.data.event).toEqual({
      type: 'post.deleted',
      payload: { postId: item.id, authorId: author.id },
    });
    expect((await userRow(author)).postsCount).toBe(0);
    expect(await services.get(PostCacheStore).getMany([item.id])).toEqual(['deleted']);
    await expect(posts.get(item.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('of an unknown post is NOT_FOUND', async () => {
    const author = await aUser().create();
    await expect(posts.delete(author.id, '12345')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('PostsService.hydrate and byAuthor', () => {
  it('read bodies from the cache, misses from PostgreSQL (then cached), deleted posts as such', async () => {
    const author = await aUser().create();
    const [live, gone] = await aPost().by(author).createMany(2);
    await deletePost(gone!);
    const found = await posts.hydrate([live!.id, gone!.id]);
    expect(found.get(live!.id)).toMatchObject({ body: live!.body });
    expect(found.get(gone!.id)).toBe('deleted');
    expect(await services.get(PostCacheStore).getMany([live!.id, gone!.id])).toEqual([found.get(live!.id), 'deleted']);
  });

  it("page an author's live posts, newest first", async () => {
    const author = await aUser().create();
    const made = await aPost().by(author).createMany(3);
    await aPost().by(author).deleted().create();
    const first = await posts.byAuthor(author.id, undefined, 2);
    const second = await posts.byAuthor(author.id, first.nextCursor!, 2);
    expect([...first.items, ...second.items].map((i) => i.id)).toEqual(made.map((p) => p.id).reverse());
    expect(second.nextCursor).toBeNull();
  });
});
