import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import { MAX_ID } from '#libs/paging';

@Injectable()
export class FollowsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts the edge and keeps both counters; false when it already existed (idempotent follow). */
  /**
   * 'exists' for a repeat; 'limit' when the follower already follows `maxFollowing` accounts (nothing is written: the
   * caller aborts the transaction). The follower's row is locked first, so concurrent follows cannot overshoot.
   */
  async insert(
    tx: Prisma.TransactionClient,
    followerId: string,
    followeeId: string,
    maxFollowing: number,
  ): Promise<'inserted' | 'exists' | 'limit'> {
    await this.lockUsers(tx, followerId, followeeId);
    const inserted = await tx.$executeRaw`
      INSERT INTO follows (follower_id, followee_id) VALUES (${BigInt(followerId)}, ${BigInt(followeeId)})
      ON CONFLICT DO NOTHING`;
    if (inserted === 0) return 'exists';
    const [follower] = await tx.$queryRaw<{ following_count: number }[]>`
      SELECT following_count FROM users WHERE id = ${BigInt(followerId)}`;
    if ((follower?.following_count ?? 0) >= maxFollowing) return 'limit';
    await this.adjustCounts(tx, followerId, followeeId, 1);
    return 'inserted';
  }

  async delete(tx: Prisma.TransactionClient, followerId: string, followeeId: string): Promise<boolean> {
    await this.lockUsers(tx, followerId, followeeId);
    const deleted = await tx.$executeRaw`
      DELETE FROM follows WHERE follower_id = ${BigInt(followerId)} AND followee_id = ${BigInt(followeeId)}`;
    if (deleted === 0) return false;
    await this.adjustCounts(tx, followerId, followeeId, -1);
    return true;
  }

  /** Whether the pair follows now, and whether the followee is in pull mode now (what a follow sync applies). */
  async state(followerId: string, followeeId: string): Promise<{ following: boolean; followeePullMode: boolean }> {
    const [row] = await this.prisma.prepared<{ following: boolean; pull_mode: boolean | null }>(
      'follows-state',
      `SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2) AS following,
              (SELECT pull_mode FROM users WHERE id = $2) AS pull_mode`,
      [followerId, followeeId],
    );
    return { following: row?.following ?? false, followeePullMode: row?.pull_mode ?? false };
  }

  /** Whom a user follows, and which of them are in pull mode (a mailbox rebuild's following sets). */
  async followees(userId: string): Promise<{ all: string[]; pullMode: string[] }> {
    const rows = await this.prisma.prepared<{ followee_id: string; pull_mode: boolean }>(
      'follows-followees',
      'SELECT f.followee_id, u.pull_mode FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = $1',
      [userId],
    );
    return { all: rows.map((r) => r.followee_id), pullMode: rows.filter((r) => r.pull_mode).map((r) => r.followee_id) };
  }

  /**
   * Every `size`-th follower id of an author, in order: the upper bounds of the fan-out batches. This and the next
   * run for every post, as prepared statements.
   */
  async batchBounds(authorId: string, size: number): Promise<string[]> {
    const rows = await this.prisma.prepared<{ follower_id: string }>(
      'follows-batch-bounds',
      `SELECT follower_id FROM (
         SELECT follower_id, row_number() OVER (ORDER BY follower_id) AS n FROM follows WHERE followee_id = $1
       ) numbered WHERE n % $2 = 0 ORDER BY follower_id`,
      [authorId, size],
    );
    return rows.map((r) => r.follower_id);
  }

  /**
   * Followers in the keyset range (after, through]; either end may be open. In no particular order. One text value
   * of ids joined by commas, not a row per follower: a batch is up to FANOUT_BATCH_SIZE followers, and a row each
   * cost the worker ~0.7 µs of parsing and garbage per mailbox write, a quarter of its CPU in the bench's backlog
   * drain (PostgreSQL's own cost stays about the same).
   */
  async followersInRange(authorId: string, after: string | null, through: string | null): Promise<string[]> {
    const rows = await this.prisma.prepared<{ ids: string | null }>(
      'follows-in-range',
      `SELECT string_agg(follower_id::text, ',') AS ids FROM follows
       WHERE followee_id = $1 AND follower_id > $2 AND follower_id <= $3`,
      [authorId, after ?? '0', through ?? MAX_ID.toString()],
    );
    const ids = rows[0]?.ids;
    return ids ? ids.split(',') : [];
  }

  /**
   * Locks both users in id order before touching follows, so concurrent follows between the same people cannot
   * deadlock. NO KEY UPDATE is the lock the counter update needs and does not conflict with foreign-key checks.
   */
  private async lockUsers(tx: Prisma.TransactionClient, a: string, b: string): Promise<void> {
    await tx.$queryRaw`SELECT id FROM users WHERE id IN (${BigInt(a)}, ${BigInt(b)}) ORDER BY id FOR NO KEY UPDATE`;
  }

  private async adjustCounts(tx: Prisma.TransactionClient, followerId: string, followeeId: string, by: 1 | -1) {
    await tx.$executeRaw`
      UPDATE users SET
        following_count = following_count + CASE WHEN id = ${BigInt(followerId)} THEN ${by}::int ELSE 0 END,
        followers_count = followers_count + CASE WHEN id = ${BigInt(followeeId)} THEN ${by}::int ELSE 0 END
      WHERE id IN (${BigInt(followerId)}, ${BigInt(followeeId)})`;
  }
}
