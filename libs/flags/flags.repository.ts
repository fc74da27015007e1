import { Injectable } from '@nestjs/common';
import type { Strategy, TimelineFlags } from '#libs/config';
import { Prisma, PrismaService } from '#libs/db';

export interface FlagsRow extends TimelineFlags {
  mailboxEpoch: number;
  version: number;
}

type Db = Prisma.TransactionClient | PrismaService;

@Injectable()
export class FlagsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async ensure(defaults: TimelineFlags): Promise<void> {
    await this.prisma.runtimeFlags.upsert({ where: { id: 1 }, create: { id: 1, ...defaults }, update: {} });
  }

  /** Inside a transaction through Prisma; otherwise (the fan-out planner, for every post) a prepared statement. */
  async read(tx?: Prisma.TransactionClient): Promise<FlagsRow> {
    if (tx) {
      const row = await tx.runtimeFlags.findUniqueOrThrow({ where: { id: 1 } });
      return {
        strategy: row.strategy as Strategy,
        celebrityThreshold: row.celebrityThreshold,
        mailboxSize: row.mailboxSize,
        fanoutBatchSize: row.fanoutBatchSize,
        mailboxEpoch: row.mailboxEpoch,
        version: row.version,
      };
    }
    const [row] = await this.prisma.prepared<FlagsRow>(
      'flags-read',
      `SELECT strategy, celebrity_threshold AS "celebrityThreshold", mailbox_size AS "mailboxSize",
              fanout_batch_size AS "fanoutBatchSize", mailbox_epoch AS "mailboxEpoch", version
       FROM runtime_flags WHERE id = 1`,
      [],
    );
    if (!row) throw new Error('runtime_flags has no row: FlagsService.ensure runs at start-up');
    return row;
  }

  /** Locks the row for the rest of the transaction so concurrent updates apply one after the other. */
  async readForUpdate(tx: Prisma.TransactionClient): Promise<void> {
    await tx.$queryRaw`SELECT id FROM runtime_flags WHERE id = 1 FOR UPDATE`;
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
