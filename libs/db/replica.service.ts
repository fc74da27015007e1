import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { isOutage, withDeadline } from '#libs/errors';
import { createPool, type Reader } from './pg.pool.js';
import { PrismaService } from './prisma.service.js';

/** How long a known replay position is trusted: routing asks for it on every read, the replica answers once. */
const REPLAY_CACHE_MS = 50;
/** After a failure the replica is left alone this long (reads go to the primary), then probed in the background. */
const DOWN_FOR_MS = 2000;

// WAL positions as byte offsets (pg_lsn minus 0/0): exact as JS numbers and Redis scores up to 2^53 bytes (8 PiB).
const REPLAY_POSITION = `
  SELECT pg_is_in_recovery() AS standby, coalesce(pg_last_wal_replay_lsn() - '0/0', 0)::text AS lsn`;

/** A standby cancelled the statement because replay needed what it read; the primary has no such conflict. */
const RECOVERY_CONFLICTS = new Set(['40001', '57P04']);

/**
 * The read-only connection to the streaming replica of DATABASE_READ_URL (same pool rules as the primary). Without
 * it, or while the replica does not answer, every statement runs on the primary: a replica outage costs the primary
 * some load, never a failed read.
 */
@Injectable()
export class ReplicaService implements Reader, OnModuleDestroy {
  private readonly logger = new Logger('Replica');
  private readonly pool: pg.Pool | null;
  private readonly probeMs: number;
  private known = { lsn: 0, at: 0 };
  private probing?: Promise<number | null>;
  private down = false;
  private retryAt = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly primary: PrismaService,
  ) {
    this.pool = config.databaseReadUrl ? createPool(config.databaseReadUrl, config, 'PostgreSQL replica') : null;
    this.probeMs = config.timeouts.healthCheckMs;
  }

  get configured(): boolean {
    return this.pool !== null;
  }

  /**
   * How far the replica has replayed the primary's WAL (a byte offset), or null when it cannot serve. Cached for
   * REPLAY_CACHE_MS; `fresh` asks again. A replica found down is probed again in the background, never on a read's
   * time, so a frozen replica costs at most one read one probe timeout.
   */
  async replayed(fresh = false): Promise<number | null> {
    if (!this.pool) return null;
    if (this.down) {
      if (Date.now() >= this.retryAt && !this.probing) void this.probeOnce();
      return null;
    }
    if (!fresh && Date.now() - this.known.at < REPLAY_CACHE_MS) return this.known.lsn;
    return this.probeOnce();
  }

  async prepared<T extends object>(name: string, text: string, values: unknown[]): Promise<T[]> {
    if (!this.pool || this.down) return this.primary.prepared<T>(name, text, values);
    try {
      return (await this.pool.query<T>({ name, text, values })).rows;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      // A statement that hit statement_timeout would time out on the primary too: retrying doubles the wait.
      if (!RECOVERY_CONFLICTS.has(code) && (!isOutage(error) || code === '57014')) throw error;
      if (!RECOVERY_CONFLICTS.has(code)) this.markDown(error as Error);
      return this.primary.prepared<T>(name, text, values);
    }
  }

  /** One probe at a time, shared by every read that wants the position meanwhile. */
  private probeOnce(): Promise<number | null> {
    this.probing ??= this.probe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probe(): Promise<number | null> {
    try {
      const { rows } = await withDeadline(
        this.pool!.query<{ standby: boolean; lsn: string }>(REPLAY_POSITION),
        this.probeMs,
        'the PostgreSQL replica',
      );
      // Not in recovery: DATABASE_READ_URL names a primary, which is as fresh as it gets.
      const lsn = rows[0]!.standby ? Number(rows[0]!.lsn) : Number.POSITIVE_INFINITY;
      this.known = { lsn, at: Date.now() };
      if (this.down) this.logger.log('the replica answers again: pull reads go back to it');
      this.down = false;
      return lsn;
    } catch (error) {
      this.markDown(error as Error);
      return null;
    }
  }

  private markDown(error: Error): void {
    if (!this.down) this.logger.warn(`the replica does not answer, reads go to the primary: ${error.message}`);
    this.down = true;
    this.retryAt = Date.now() + DOWN_FOR_MS;
  }

  async onModuleDestroy(): Promise<void> {
    await this.probing;
    await this.pool?.end();
  }
}
