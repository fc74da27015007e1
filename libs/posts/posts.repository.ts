import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import type { PostRow } from './post.model.js';

const NO_CURSOR = (2n ** 63n - 1n).toString();

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

// The page's ids come from the partial index posts_live_author_id_id_idx alone (up to `limit` per author, index-only);
// only the page's own rows are then read. $1 readers/authors, $2 exclusive upper bound on ids, $3 page size.
const PULL_PAGE = `
  WITH page AS (
    SELECT c.id FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1) a
    CROSS JOIN LATERAL (
      SELECT id FROM posts WHERE author_id = a.author_id AND id < $2 AND deleted_at IS NULL ORDER BY id DESC LIMIT $3
    ) c
    ORDER BY c.id DESC LIMIT $3)
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at
  FROM page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC`;

const BY_AUTHORS = `
  WITH page AS (
    SELECT c.id FROM unnest($1::bigint[]) AS a(author_id)
    CROSS JOIN LATERAL (
      SELECT id FROM posts WHERE author_id = a.author_id AND id < $2 AND deleted_at IS NULL ORDER BY id DESC LIMIT $3
    ) c
    ORDER BY c.id DESC LIMIT $3)
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at
  FROM page JOIN posts p ON p.id = page.id JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC`;

const PULL_REFS = `
  SELECT c.id, c.author_id FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1) a
  CROSS JOIN LATERAL (
    SELECT id, author_id FROM posts WHERE author_id = a.author_id AND deleted_at IS NULL ORDER BY id DESC LIMIT $2
  ) c
  ORDER BY c.id DESC LIMIT $2`;

const HYDRATE = `
  SELECT p.id, p.author_id, u.handle, p.body, p.created_at, (p.deleted_at IS NOT NULL) AS deleted
  FROM posts p JOIN users u ON u.id = p.author_id
  WHERE p.id = ANY($1::bigint[])`;

export interface PostRef {
  postId: string;
  authorId: string;
}

@Injectable()
export class PostsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(tx: Prisma.TransactionClient, authorId: string, body: string): Promise<PostRow> {
    const post = await tx.post.create({
      data: { authorId: BigInt(authorId), body },
      select: { id: true, authorId: true, body: true, createdAt: true, author: { select: { handle: true } } },
    });
    await tx.user.update({ where: { id: BigInt(authorId) }, data: { postsCount: { increment: 1 } } });
    return {
      id: post.id,
      authorId: post.authorId,
      body: post.body,
      createdAt: post.createdAt,
      handle: post.author.handle,
    };
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

  async hydrate(ids: string[]): Promise<(PostRow & { deleted: boolean })[]> {
    if (ids.length === 0) return [];
    const rows = await this.query<RawPost & { deleted: boolean }>('posts-hydrate', HYDRATE, [ids]);
    return rows.map((r) => ({ ...toRow(r), deleted: r.deleted }));
  }

  async byAuthor(authorId: string, before: string | null, limit: number): Promise<PostRow[]> {
    return this.byAuthors([authorId], before, limit);
  }

  /** Newest live posts of a few authors (hybrid's celebrities when Redis cannot serve them; an author's page). */
  async byAuthors(authorIds: string[], before: string | null, limit: number): Promise<PostRow[]> {
    const rows = await this.query<RawPost>('posts-by-authors', BY_AUTHORS, [authorIds, before ?? NO_CURSOR, limit]);
    return rows.map(toRow);
  }

  /**
   * Fan-out on read, the relational query of the case study: the reader's own posts and those of everyone they
   * follow, newest first.
   */
  async pullPage(readerId: string, before: string | null, limit: number): Promise<PostRow[]> {
    const rows = await this.query<RawPost>('posts-pull-page', PULL_PAGE, [readerId, before ?? NO_CURSOR, limit]);
    return rows.map(toRow);
  }

  /** Ids and authors only: what a mailbox holds. The same candidates as pullPage, without reading any row. */
  async pullRefs(readerId: string, limit: number): Promise<PostRef[]> {
    const rows = await this.query<{ id: string; author_id: string }>('posts-pull-refs', PULL_REFS, [readerId, limit]);
    return rows.map((r) => ({ postId: r.id, authorId: r.author_id }));
  }

  /** A named (prepared) statement on Prisma's pool: planned once per connection, no ORM layer per row. */
  private async query<T extends object>(name: string, text: string, values: unknown[]): Promise<T[]> {
    return (await this.prisma.pool.query<T>({ name, text, values })).rows;
  }

  async recentRefs(authorId: string, limit: number): Promise<PostRef[]> {
    const rows = await this.prisma.post.findMany({
      where: { authorId: BigInt(authorId), deletedAt: null },
      orderBy: { id: 'desc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => ({ postId: r.id.toString(), authorId }));
  }

  async isLive(id: string): Promise<boolean> {
    return (await this.prisma.post.count({ where: { id: BigInt(id), deletedAt: null } })) > 0;
  }
}
