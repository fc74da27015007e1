import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';

export interface UserRow {
  id: bigint;
  handle: string;
  displayName: string;
  followersCount: number;
  followingCount: number;
  postsCount: number;
  createdAt: Date;
}

export interface UserListRow {
  id: bigint;
  handle: string;
  displayName: string;
  followedAt: Date;
}

const PROFILE = {
  id: true,
  handle: true,
  displayName: true,
  followersCount: true,
  followingCount: true,
  postsCount: true,
  createdAt: true,
} as const;

@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(tx: Prisma.TransactionClient, handle: string, displayName: string): Promise<UserRow> {
    return tx.user.create({ data: { handle, displayName }, select: PROFILE });
  }

  async find(id: string): Promise<UserRow | null> {
    return this.prisma.user.findUnique({ where: { id: BigInt(id) }, select: PROFILE });
  }

  async exists(id: string): Promise<boolean> {
    return (await this.prisma.user.count({ where: { id: BigInt(id) } })) > 0;
  }

  /** People who follow `userId`, most recent follow first; keyset on (followed at, follower id). */
  async followers(userId: string, after: [Date, bigint] | null, limit: number): Promise<UserListRow[]> {
    const [at, id] = after ?? [new Date(8.64e15), 0n];
    return this.prisma.$queryRaw<UserListRow[]>`
      SELECT u.id, u.handle, u.display_name AS "displayName", f.created_at AS "followedAt"
      FROM follows f JOIN users u ON u.id = f.follower_id
      WHERE f.followee_id = ${BigInt(userId)} AND (f.created_at, f.follower_id) < (${at}, ${after ? id : 2n ** 63n - 1n})
      ORDER BY f.created_at DESC, f.follower_id DESC LIMIT ${limit}`;
  }

  /** People `userId` follows, most recent follow first. */
  async following(userId: string, after: [Date, bigint] | null, limit: number): Promise<UserListRow[]> {
    const [at, id] = after ?? [new Date(8.64e15), 0n];
    return this.prisma.$queryRaw<UserListRow[]>`
      SELECT u.id, u.handle, u.display_name AS "displayName", f.created_at AS "followedAt"
      FROM follows f JOIN users u ON u.id = f.followee_id
      WHERE f.follower_id = ${BigInt(userId)} AND (f.created_at, f.followee_id) < (${at}, ${after ? id : 2n ** 63n - 1n})
      ORDER BY f.created_at DESC, f.followee_id DESC LIMIT ${limit}`;
  }

  /** Every user id after `after`, ascending, a page at a time (rebuilding every mailbox). */
  async idsAfter(after: string | null, limit: number): Promise<string[]> {
    const rows = await this.prisma.user.findMany({
      where: after === null ? {} : { id: { gt: BigInt(after) } },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id.toString());
  }
}

/** Pull-mode bookkeeping of authors (see User.pullMode in schema.prisma). */
@Injectable()
export class PullModeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Sets pull mode and bumps its version; true when the author was not in pull mode before. */
  async enter(tx: Prisma.TransactionClient, authorId: string): Promise<boolean> {
    const rows = await tx.$queryRaw<{ was: boolean }[]>`
      UPDATE users u SET pull_mode = true, pull_version = u.pull_version + 1
      FROM (SELECT id, pull_mode FROM users WHERE id = ${BigInt(authorId)} FOR UPDATE) old
      WHERE u.id = old.id RETURNING old.pull_mode AS was`;
    return rows[0]?.was === false;
  }

  /** Clears pull mode only if nothing set it again since `version` was read. */
  async leave(tx: Prisma.TransactionClient, authorId: string, version: number): Promise<boolean> {
    const { count } = await tx.user.updateMany({
      where: { id: BigInt(authorId), pullMode: true, pullVersion: version },
      data: { pullMode: false },
    });
    return count === 1;
  }

  /** What a demotion checks before it starts: the author's follower count and pull-mode state now. */
  async state(id: string): Promise<{ followersCount: number; pullMode: boolean; pullVersion: number } | null> {
    return this.prisma.user.findUnique({
      where: { id: BigInt(id) },
      select: { followersCount: true, pullMode: true, pullVersion: true },
    });
  }

  async authors(): Promise<{ id: string; followersCount: number; pullVersion: number }[]> {
    const rows = await this.prisma.user.findMany({
      where: { pullMode: true },
      select: { id: true, followersCount: true, pullVersion: true },
    });
    return rows.map((r) => ({ id: r.id.toString(), followersCount: r.followersCount, pullVersion: r.pullVersion }));
  }
}
