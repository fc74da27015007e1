import { Injectable, Logger } from '@nestjs/common';
import { ReadRouter, type Reader } from '#libs/db';
import { ConflictError, ForbiddenError, NotFoundError } from '#libs/errors';
import { OutboxWriter } from '#libs/outbox';
import { decodeCursor, encodeCursor, pageOf, type Page } from '#libs/paging';
import { PostCacheStore } from './post-cache.store.js';
import { toItem, type TimelineItem } from './post.model.js';
import { checkPostBody } from './post.rules.js';
import { PostsRepository } from './posts.repository.js';

@Injectable()
export class PostsService {
  private readonly logger = new Logger('Posts');

  constructor(
    private readonly posts: PostsRepository,
    private readonly cache: PostCacheStore,
    private readonly outbox: OutboxWriter,
    private readonly reads: ReadRouter,
  ) {}

  /**
   * Commits the post and its outbox event together, then enqueues fan-out; never waits for fan-out. With an
   * idempotency key already used by this author, nothing is written and the post made then is returned.
   */
  async create(
    authorId: string,
    body: string,
    idempotencyKey: string | null = null,
    requestId?: string,
  ): Promise<TimelineItem> {
    checkPostBody(body);
    const created = await this.posts.insertWithEvent(authorId, body, idempotencyKey, requestId);
    if (!created) {
      const earlier = idempotencyKey === null ? null : await this.posts.byIdempotencyKey(authorId, idempotencyKey);
      if (earlier && earlier.body !== body) {
        throw new ConflictError('This Idempotency-Key was used for another post: send a new key for a new post.');
      }
      if (earlier) return toItem(earlier);
      throw new NotFoundError(`No user with id ${authorId}.`);
    }
    const item = toItem(created.row);
    // The post is committed: from here on nothing may fail the request, or a client that retries posts it twice.
    // The cache fills itself on a miss, and the relay enqueues an event whose job was not added.
    await Promise.all([
      this.reads.wrote(authorId),
      this.cache.put([item]).catch((error: Error) => this.skipped('caching a new post', error)),
      this.outbox.dispatchAppended(
        created.eventId,
        { type: 'post.created', payload: { postId: item.id, authorId } },
        requestId,
      ),
    ]);
    return item;
  }

  async get(postId: string): Promise<TimelineItem> {
    const row = await this.posts.find(postId);
    if (!row || row.deleted) throw new NotFoundError(`No post with id ${postId}.`);
    return toItem(row);
  }

  /** Only the author may delete; deleting an already deleted post of yours is a no-op. */
  async delete(userId: string, postId: string, requestId?: string): Promise<void> {
    const row = await this.posts.find(postId);
    const mine = row?.authorId.toString() === userId;
    // Someone else's deleted post is as gone as it is to a reader: 403 would tell that it existed.
    if (!row || (row.deleted && !mine)) throw new NotFoundError(`No post with id ${postId}.`);
    if (!mine) throw new ForbiddenError('Only the author can delete a post.');
    const deleted = await this.outbox.commit(
      async (tx) => ((await this.posts.markDeleted(tx, postId, userId)) ? true : null),
      () => ({ type: 'post.deleted', payload: { postId, authorId: userId } }),
      requestId,
    );
    // Committed; the worker writes the same tombstone when it handles the event, so this one may fail.
    if (!deleted) return;
    await Promise.all([
      this.reads.wrote(userId),
      this.cache.markDeleted([postId]).catch((error: Error) => this.skipped('tombstoning', error)),
    ]);
  }

  private skipped(what: string, error: Error): void {
    this.logger.warn(`${what} skipped, Redis did not take it: ${error.message}`);
  }

  async byAuthor(authorId: string, cursor: string | undefined, limit: number): Promise<Page<TimelineItem>> {
    const before = cursor === undefined ? null : decodeCursor(cursor, 1)[0]!;
    // Routed by the author's writes: an author who just posted or deleted sees it on their own page.
    const rows = await this.posts.byAuthor(authorId, before, limit, this.reads.forUser(authorId));
    return pageOf(rows.map(toItem), limit, (last) => encodeCursor([last.id]));
  }

  /**
   * Bodies for a page of post ids, from the cache in one round trip, missing ones from PostgreSQL (and cached).
   * Deleted posts come back as 'deleted'. `via` is the reader's route (ReadRouter.forUser); the primary by default.
   */
  async hydrate(postIds: string[], via: Reader = this.reads.primary): Promise<Map<string, TimelineItem | 'deleted'>> {
    const cached = await this.cache.getMany(postIds);
    const found = new Map<string, TimelineItem | 'deleted'>();
    const missing: string[] = [];
    postIds.forEach((id, i) => (cached[i] === undefined ? missing.push(id) : found.set(id, cached[i]!)));
    if (missing.length === 0) return found;
    const rows = await this.posts.hydrate(missing, via);
    // Posts are never removed, only marked deleted: one the replica lacks is newer than its replay, and the page
    // would lose it. The primary has it (someone got its id from a commit).
    const seen = new Set(rows.map((r) => r.id.toString()));
    const unseen = via === this.reads.primary ? [] : missing.filter((id) => !seen.has(id));
    if (unseen.length > 0) rows.push(...(await this.posts.hydrate(unseen)));
    const live = rows.filter((r) => !r.deleted).map(toItem);
    const deleted = rows.filter((r) => r.deleted).map((r) => r.id.toString());
    for (const item of live) found.set(item.id, item);
    for (const id of deleted) found.set(id, 'deleted');
    // Filling the cache is for the next read: a Redis that cannot take it (away, full) must not fail this one.
    await Promise.all([this.cache.put(live), this.cache.markDeleted(deleted)]).catch((error: Error) =>
      this.skipped('caching hydrated posts', error),
    );
    return found;
  }
}
