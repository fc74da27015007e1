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

  /** Which of these token hashes still have a row (the token cache drops the others). */
  async existing(tokenHashes: Buffer[]): Promise<Buffer[]> {
    const rows = await this.prisma.prepared<{ token_hash: Buffer }>(
      'tokens-existing',
      'SELECT token_hash FROM tokens WHERE token_hash = ANY($1::bytea[])',
      [tokenHashes],
    );
    return rows.map((row) => row.token_hash);
  }
}
