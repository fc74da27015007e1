import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type Reader } from '#libs/db';
import { appendFromCte } from '#libs/outbox';
import { MAX_ID } from '#libs/paging';
import type { PostRow } from './post.model.js';

const NO_CURSOR = MAX_ID.toString();

/** A post row as node-postgres returns it (bigint columns as strings). */
interface RawPost {
  id: string;
  author_id: string;
  handle: string;
  body: string;
  created_at: Date;
}

const toRow = (r: RawPost): PostRow => ({
  id: BigInt(r.id),
  authorId: BigInt(r.author_id),
  handle: r.handle,
  body: r.body,
  createdAt: r.created_at,
});

// A page of live posts by a set of authors (`authors`: a FROM item `a` with a column author_id). Its ids come from the
// partial index posts_live_author_id_id_idx alone (up to `limit` per author, index-only); only the page's own rows
// are then read. $2 is the exclusive upper bound on ids, $3 the page size.
const pageOf = (authors: string) => `
  WITH page AS (
    SELECT c.id FROM ${authors}
    CROSS JOIN LATERAL (
      SELECT id FROM posts WHERE author_id = a.author_id AND id < $2 AND deleted_at IS NULL ORDER BY id DESC LIMIT $3
    ) c
    ORDER BY c.id DESC LIMIT $3)
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at
  FROM page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC`;

/** $1: the reader, whose own posts count too. */
const PULL_PAGE = pageOf('(SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1) a');

/** $1: the authors' ids. */
const BY_AUTHORS = pageOf('unnest($1::bigint[]) AS a(author_id)');

const PULL_REFS = `
  SELECT c.id, c.author_id FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1) a
  CROSS JOIN LATERAL (
    SELECT id, author_id FROM posts WHERE author_id = a.author_id AND deleted_at IS NULL ORDER BY id DESC LIMIT $2
  ) c
  ORDER BY c.id DESC LIMIT $2`;

// A repeat of an idempotency key inserts nothing (and counts nothing, and appends no event): no row comes back.
const INSERT_WITH_EVENT = `
  WITH post AS (
    INSERT INTO posts (author_id, body, idempotency_key) SELECT id, $2, $3 FROM users WHERE id = $1
    ON CONFLICT (author_id, idempotency_key) DO NOTHING
    RETURNING id, author_id, body, created_at
  ), author AS (
    UPDATE users SET posts_count = posts_count + 1 WHERE id = $1 AND EXISTS (SELECT 1 FROM post) RETURNING id, handle
  ), ${appendFromCte('event', 'post', 'post.created', "jsonb_build_object('postId', id::text, 'authorId', author_id::text)", '$4::varchar')}
  SELECT post.id, post.author_id, author.handle, post.body, post.created_at, event.id AS event_id
  FROM post, author, event`;

const BY_IDEMPOTENCY_KEY = `
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at, (p.deleted_at IS NOT NULL) AS deleted
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE p.author_id = $1 AND p.idempotency_key = $2`;

const RECENT_REFS = `
  SELECT id FROM posts WHERE author_id = $1 AND deleted_at IS NULL ORDER BY id DESC LIMIT $2`;

const FANOUT_FACTS = `
  SELECT p.deleted_at IS NULL AS live, u.followers_count, u.pull_mode, u.pull_version
  FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1`;

const HYDRATE = `
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at, (p.deleted_at IS NOT NULL) AS deleted
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE p.id = ANY($1::bigint[])`;

export interface PostRef {
  postId: string;
  authorId: string;
}

/**
 * Posts in PostgreSQL. The reads a replica may serve take the server to ask (`db`, chosen by ReadRouter in libs/db);
 * without it they run on the primary, as every write and every read before a write (find, before a delete) does.
 */
@Injectable()
export class PostsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The post, its author's count and its outbox event, in one statement (so in one transaction, and one round trip).
   * The event is written as already enqueued: the caller enqueues it at once, and should that not happen (a crash in
   * between), the relay re-enqueues events still undelivered after OUTBOX_REENQUEUE_MS. That saves a second commit
   * per post. Null when the author does not exist.
   */
  async insertWithEvent(
    authorId: string,
    body: string,
    idempotencyKey: string | null = null,
    requestId?: string,
  ): Promise<{ row: PostRow; eventId: string } | null> {
    const [row] = await this.prisma.prepared<RawPost & { event_id: string }>('posts-insert', INSERT_WITH_EVENT, [
      authorId,
      body,
      idempotencyKey,
      requestId ?? null,
    ]);
    return row ? { row: toRow(row), eventId: row.event_id } : null;
  }

  /** The post an earlier request with this key made, deleted or not. */
  async byIdempotencyKey(authorId: string, key: string): Promise<(PostRow & { deleted: boolean }) | null> {
    const [row] = await this.prisma.prepared<RawPost & { deleted: boolean }>('posts-by-key', BY_IDEMPOTENCY_KEY, [
      authorId,
      key,
    ]);
    return row ? { ...toRow(row), deleted: row.deleted } : null;
  }

  async find(id: string): Promise<(PostRow & { deleted: boolean }) | null> {
    const rows = await this.hydrate([id]);
    return rows[0] ?? null;
  }

  /** Soft delete; false when already deleted. */
  async markDeleted(tx: Prisma.TransactionClient, id: string, authorId: string): Promise<boolean> {
    const { count } = await tx.post.updateMany({
      where: { id: BigInt(id), deletedAt: null },
      data: { deletedAt: new Date() },
    });
    if (count === 0) return false;
    await tx.user.update({ where: { id: BigInt(authorId) }, data: { postsCount: { decrement: 1 } } });
    return true;
  }

  async hydrate(ids: string[], db: Reader = this.prisma): Promise<(PostRow & { deleted: boolean })[]> {
    if (ids.length === 0) return [];
    const rows = await db.prepared<RawPost & { deleted: boolean }>('posts-hydrate', HYDRATE, [ids]);
    return rows.map((r) => ({ ...toRow(r), deleted: r.deleted }));
  }

  async byAuthor(authorId: string, before: string | null, limit: number, db: Reader = this.prisma): Promise<PostRow[]> {
    return this.byAuthors([authorId], before, limit, db);
  }

  /** Newest live posts of a few authors (hybrid's celebrities when Redis cannot serve them; an author's page). */
  async byAuthors(
    authorIds: string[],
    before: string | null,
    limit: number,
    db: Reader = this.prisma,
  ): Promise<PostRow[]> {
    const rows = await db.prepared<RawPost>('posts-by-authors', BY_AUTHORS, [authorIds, before ?? NO_CURSOR, limit]);
    return rows.map(toRow);
  }

  /**
   * Fan-out on read, the relational query of the case study: the reader's own posts and those of everyone they
   * follow, newest first.
   */
  async pullPage(readerId: string, before: string | null, limit: number, db: Reader = this.prisma): Promise<PostRow[]> {
    const rows = await db.prepared<RawPost>('posts-pull-page', PULL_PAGE, [readerId, before ?? NO_CURSOR, limit]);
    return rows.map(toRow);
  }

  /** Ids and authors only: what a mailbox holds. The same candidates as pullPage, without reading any row. */
  async pullRefs(readerId: string, limit: number): Promise<PostRef[]> {
    const rows = await this.prisma.prepared<{ id: string; author_id: string }>('posts-pull-refs', PULL_REFS, [
      readerId,
      limit,
    ]);
    return rows.map((r) => ({ postId: r.id, authorId: r.author_id }));
  }

  /** A post's liveness and its author's fan-out facts, for planning its fan-out (one round trip). */
  async fanoutFacts(postId: string) {
    const [row] = await this.prisma.prepared<{
      live: boolean;
      followers_count: number;
      pull_mode: boolean;
      pull_version: number;
    }>('posts-fanout-facts', FANOUT_FACTS, [postId]);
    return row
      ? {
          live: row.live,
          followersCount: row.followers_count,
          pullMode: row.pull_mode,
          pullVersion: row.pull_version,
        }
      : null;
  }

  /** An author's newest live posts, ids only (from the partial index alone). */
  async recentRefs(authorId: string, limit: number, db: Reader = this.prisma): Promise<PostRef[]> {
    const rows = await db.prepared<{ id: string }>('posts-recent-refs', RECENT_REFS, [authorId, limit]);
    return rows.map((r) => ({ postId: r.id, authorId }));
  }
}
