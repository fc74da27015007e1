import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import { MAX_ID } from '#libs/paging';

@Injectable()
export class FollowsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts the edge and keeps both counters; false when it already existed (idempotent follow). */
  async insert(tx: Prisma.TransactionClient, followerId: string, followeeId: string): Promise<boolean> {
    await this.lockUsers(tx, followerId, followeeId);
    const inserted = await tx.$executeRaw`
      INSERT INTO follows (follower_id, followee_id) VALUES (${BigInt(followerId)}, ${BigInt(followeeId)})
      ON CONFLICT DO NOTHING`;
    if (inserted === 0) return false;
    await this.adjustCounts(tx, followerId, followeeId, 1);
    return true;
  }

  async delete(tx: Prisma.TransactionClient, followerId: string, followeeId: string): Promise<boolean> {
    await this.lockUsers(tx, followerId, followeeId);
    const deleted = await tx.$executeRaw`
      DELETE FROM follows WHERE follower_id = ${BigInt(followerId)} AND followee_id = ${BigInt(followeeId)}`;
    if (deleted === 0) return false;
    await this.adjustCounts(tx, followerId, followeeId, -1);
    return true;
  }

  async exists(followerId: string, followeeId: string): Promise<boolean> {
    const count = await this.prisma.follow.count({
      where: { followerId: BigInt(followerId), followeeId: BigInt(followeeId) },
    });
    return count > 0;
  }

  async followeeIds(userId: string): Promise<string[]> {
    const rows = await this.prisma.follow.findMany({
      where: { followerId: BigInt(userId) },
      select: { followeeId: true },
    });
    return rows.map((r) => r.followeeId.toString());
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

  /** Followers in the keyset range (after, through]; either end may be open. */
  async followersInRange(authorId: string, after: string | null, through: string | null): Promise<string[]> {
    const rows = await this.prisma.prepared<{ follower_id: string }>(
      'follows-in-range',
      'SELECT follower_id FROM follows WHERE followee_id = $1 AND follower_id > $2 AND follower_id <= $3 ORDER BY follower_id',
      [authorId, after ?? '0', through ?? MAX_ID.toString()],
    );
    return rows.map((r) => r.follower_id);
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
