import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError } from '#libs/errors';
import { OutboxWriter } from '#libs/outbox';
import { decodeCursor, encodeCursor, pageOf, type Page } from '#libs/paging';
import { PostCacheStore } from './post-cache.store.js';
import { toItem, type TimelineItem } from './post.model.js';
import { checkPostBody } from './post.rules.js';
import { PostsRepository } from './posts.repository.js';

@Injectable()
export class PostsService {
  constructor(
    private readonly posts: PostsRepository,
    private readonly cache: PostCacheStore,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Commits the post and its outbox event together, then enqueues fan-out; never waits for fan-out. */
  async create(authorId: string, body: string): Promise<TimelineItem> {
    checkPostBody(body);
    const created = await this.posts.insertWithEvent(authorId, body);
    if (!created) throw new NotFoundError(`No user with id ${authorId}.`);
    const item = toItem(created.row);
    await Promise.all([
      this.cache.put([item]),
      this.outbox.dispatchAppended(created.eventId, { type: 'post.created', payload: { postId: item.id, authorId } }),
    ]);
    return item;
  }

  async get(postId: string): Promise<TimelineItem> {
    const row = await this.posts.find(postId);
    if (!row || row.deleted) throw new NotFoundError(`No post with id ${postId}.`);
    return toItem(row);
  }

  /** Only the author may delete; deleting an already deleted post of yours is a no-op. */
  async delete(userId: string, postId: string): Promise<void> {
    const row = await this.posts.find(postId);
    if (!row) throw new NotFoundError(`No post with id ${postId}.`);
    if (row.authorId.toString() !== userId) throw new ForbiddenError('Only the author can delete a post.');
    const deleted = await this.outbox.commit(
      async (tx) => ((await this.posts.markDeleted(tx, postId, userId)) ? true : null),
      () => ({ type: 'post.deleted', payload: { postId, authorId: userId } }),
    );
    if (deleted) await this.cache.markDeleted([postId]);
  }

  async byAuthor(authorId: string, cursor: string | undefined, limit: number): Promise<Page<TimelineItem>> {
    const before = cursor === undefined ? null : decodeCursor(cursor, 1)[0]!;
    const rows = await this.posts.byAuthor(authorId, before, limit);
    return pageOf(rows.map(toItem), limit, (last) => encodeCursor([last.id]));
  }

  /**
   * Bodies for a page of post ids, from the cache in one round trip, missing ones from PostgreSQL (and cached).
   * Deleted posts come back as 'deleted'.
   */
  async hydrate(postIds: string[]): Promise<Map<string, TimelineItem | 'deleted'>> {
    const cached = await this.cache.getMany(postIds);
    const found = new Map<string, TimelineItem | 'deleted'>();
    const missing: string[] = [];
    postIds.forEach((id, i) => (cached[i] === undefined ? missing.push(id) : found.set(id, cached[i]!)));
    if (missing.length === 0) return found;
    const rows = await this.posts.hydrate(missing);
    const live = rows.filter((r) => !r.deleted).map(toItem);
    const deleted = rows.filter((r) => r.deleted).map((r) => r.id.toString());
    for (const item of live) found.set(item.id, item);
    for (const id of deleted) found.set(id, 'deleted');
    await Promise.all([this.cache.put(live), this.cache.markDeleted(deleted)]);
    return found;
  }
}
