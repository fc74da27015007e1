import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import type { PostRow } from './post.model.js';

const NO_CURSOR = 2n ** 63n - 1n;

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
    return this.prisma.$queryRaw<(PostRow & { deleted: boolean })[]>`
      SELECT p.id, p.author_id AS "authorId", u.handle, p.body, p.created_at AS "createdAt",
             (p.deleted_at IS NOT NULL) AS deleted
      FROM posts p JOIN users u ON u.id = p.author_id
      WHERE p.id = ANY(${ids.map(BigInt)}::bigint[])`;
  }

  async byAuthor(authorId: string, before: string | null, limit: number): Promise<PostRow[]> {
    return this.byAuthors([authorId], before, limit);
  }

  /** Newest live posts of a few authors (hybrid's celebrities), one index range per author. */
  async byAuthors(authorIds: string[], before: string | null, limit: number): Promise<PostRow[]> {
    return this.prisma.$queryRaw<PostRow[]>`
      SELECT p.id, p.author_id AS "authorId", u.handle, p.body, p.created_at AS "createdAt"
      FROM unnest(${authorIds.map(BigInt)}::bigint[]) AS a(id)
      CROSS JOIN LATERAL (
        SELECT id, author_id, body, created_at FROM posts
        WHERE author_id = a.id AND id < ${before === null ? NO_CURSOR : BigInt(before)} AND deleted_at IS NULL
        ORDER BY id DESC LIMIT ${limit}
      ) p
      JOIN users u ON u.id = p.author_id
      ORDER BY p.id DESC LIMIT ${limit}`;
  }

  /**
   * Fan-out on read, the relational query of the case study: the reader's own posts and those of everyone they
   * follow, newest first. Each author contributes at most `limit` posts from the (author_id, id) index.
   */
  async pullPage(readerId: string, before: string | null, limit: number): Promise<PostRow[]> {
    return this.prisma.$queryRaw<PostRow[]>`
      SELECT p.id, p.author_id AS "authorId", u.handle, p.body, p.created_at AS "createdAt"
      FROM (
        SELECT followee_id AS id FROM follows WHERE follower_id = ${BigInt(readerId)}
        UNION ALL SELECT ${BigInt(readerId)}
      ) a
      CROSS JOIN LATERAL (
        SELECT id, author_id, body, created_at FROM posts
        WHERE author_id = a.id AND id < ${before === null ? NO_CURSOR : BigInt(before)} AND deleted_at IS NULL
        ORDER BY id DESC LIMIT ${limit}
      ) p
      JOIN users u ON u.id = p.author_id
      ORDER BY p.id DESC LIMIT ${limit}`;
  }

  /** Ids and authors only: what a mailbox holds. Same query as pullPage without hydration. */
  async pullRefs(readerId: string, limit: number): Promise<PostRef[]> {
    const rows = await this.prisma.$queryRaw<{ id: bigint; author_id: bigint }[]>`
      SELECT p.id, p.author_id FROM (
        SELECT followee_id AS id FROM follows WHERE follower_id = ${BigInt(readerId)}
        UNION ALL SELECT ${BigInt(readerId)}
      ) a
      CROSS JOIN LATERAL (
        SELECT id, author_id FROM posts WHERE author_id = a.id AND deleted_at IS NULL ORDER BY id DESC LIMIT ${limit}
      ) p
      ORDER BY p.id DESC LIMIT ${limit}`;
    return rows.map((r) => ({ postId: r.id.toString(), authorId: r.author_id.toString() }));
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
