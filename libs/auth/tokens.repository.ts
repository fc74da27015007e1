import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';

@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(tx: Prisma.TransactionClient, userId: bigint, tokenHash: Buffer): Promise<void> {
    await tx.token.create({ data: { userId, tokenHash: new Uint8Array(tokenHash) } });
  }

  /** On every request whose token this process has not seen yet: a prepared statement, not the ORM. */
  async findUserId(tokenHash: Buffer): Promise<string | null> {
    const [row] = await this.prisma.prepared<{ user_id: string }>(
      'tokens-user-id',
      'SELECT user_id FROM tokens WHERE token_hash = $1',
      [tokenHash],
    );
    return row?.user_id ?? null;
  }

  /**
   * Hashes of the tokens deleted within the last `ms` by PostgreSQL's clock (the trigger on `tokens` records them):
   * callers measure the span on their own clock, so the two clocks are never compared.
   */
  async revokedWithin(ms: number): Promise<{ id: bigint; hash: Buffer }[]> {
    const rows = await this.prisma.prepared<{ id: string; token_hash: Buffer }>(
      'tokens-revoked-within',
      `SELECT id, token_hash FROM token_revocations
       WHERE revoked_at >= clock_timestamp() - $1 * interval '1 millisecond'`,
      [Math.ceil(ms)],
    );
    return rows.map((row) => ({ id: BigInt(row.id), hash: row.token_hash }));
  }

  /** Forgets revocations older than `ms`: every process has read them long before. */
  async pruneRevocations(ms: number): Promise<void> {
    await this.prisma.prepared(
      'tokens-prune-revocations',
      `DELETE FROM token_revocations WHERE revoked_at < clock_timestamp() - $1 * interval '1 millisecond'`,
      [Math.ceil(ms)],
    );
  }
}
