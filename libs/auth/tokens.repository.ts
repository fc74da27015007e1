import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';

@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(tx: Prisma.TransactionClient, userId: bigint, tokenHash: Buffer): Promise<void> {
    await tx.token.create({ data: { userId, tokenHash: new Uint8Array(tokenHash) } });
  }

  async findUserId(tokenHash: Buffer): Promise<string | null> {
    const row = await this.prisma.token.findUnique({
      where: { tokenHash: new Uint8Array(tokenHash) },
      select: { userId: true },
    });
    return row ? row.userId.toString() : null;
  }
}
