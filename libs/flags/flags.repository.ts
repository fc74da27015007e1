import { Injectable } from '@nestjs/common';
import type { TimelineFlags } from '#libs/config';
import { Prisma, PrismaService } from '#libs/db';

export interface FlagsRow extends TimelineFlags {
  mailboxEpoch: number;
  version: number;
}

type Db = Prisma.TransactionClient | PrismaService;

const READ_FLAGS = `
  SELECT strategy, celebrity_threshold AS "celebrityThreshold", mailbox_size AS "mailboxSize",
         fanout_batch_size AS "fanoutBatchSize", mailbox_epoch AS "mailboxEpoch", version
  FROM runtime_flags WHERE id = 1`;

@Injectable()
export class FlagsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ensure(defaults: TimelineFlags): Promise<void> {
    await this.prisma.runtimeFlags.upsert({ where: { id: 1 }, create: { id: 1, ...defaults }, update: {} });
  }

  /** Read for every post the planner fans out: a prepared statement. */
  async read(): Promise<FlagsRow> {
    const [row] = await this.prisma.prepared<FlagsRow>('flags-read', READ_FLAGS, []);
    if (!row) throw new Error('runtime_flags has no row: FlagsService.ensure runs at start-up');
    return row;
  }

  /** Locks the row for the rest of the transaction, so concurrent updates apply one after the other, and reads it. */
  async readForUpdate(tx: Prisma.TransactionClient): Promise<FlagsRow> {
    const [row] = await tx.$queryRawUnsafe<FlagsRow[]>(`${READ_FLAGS} FOR UPDATE`);
    if (!row) throw new Error('runtime_flags has no row: FlagsService.ensure runs at start-up');
    return row;
  }

  /** Polled by every process a few times a second. */
  async version(): Promise<number> {
    const rows = await this.prisma.prepared<{ version: number }>(
      'flags-version',
      'SELECT version FROM runtime_flags WHERE id = 1',
      [],
    );
    return rows[0]?.version ?? 0;
  }

  async write(tx: Db, flags: TimelineFlags, mailboxEpoch: number): Promise<number> {
    const row = await tx.runtimeFlags.update({
      where: { id: 1 },
      data: { ...flags, mailboxEpoch, version: { increment: 1 }, updatedAt: new Date() },
      select: { version: true },
    });
    return row.version;
  }

  async bumpEpoch(): Promise<void> {
    await this.prisma.runtimeFlags.update({
      where: { id: 1 },
      data: { mailboxEpoch: { increment: 1 }, version: { increment: 1 }, updatedAt: new Date() },
    });
  }

  /** Any change to the set of pull-mode authors bumps the version so every process reloads it. */
  async bumpVersion(tx: Db = this.prisma): Promise<number> {
    const row = await tx.runtimeFlags.update({
      where: { id: 1 },
      data: { version: { increment: 1 }, updatedAt: new Date() },
      select: { version: true },
    });
    return row.version;
  }

  async pullAuthorIds(): Promise<string[]> {
    const rows = await this.prisma.user.findMany({ where: { pullMode: true }, select: { id: true } });
    return rows.map((r) => r.id.toString());
  }
}
