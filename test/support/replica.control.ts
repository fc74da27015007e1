import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrivatePostgres } from '#libs/contract';
import { ensureDatabase, migrate } from '../../libs/db/migrator.js';

const MIGRATIONS = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A private PostgreSQL primary with a streaming replica made from it (pg_basebackup -R, its own loopback port), the
 * product's migrations applied on the primary, and the controls a test needs over replication: wait for the replica
 * to catch up, pause and resume its replay (lag on demand), and see which statements the replica ran.
 */
export class ReplicatedPostgres {
  private constructor(
    readonly primary: PrivatePostgres,
    readonly replica: PrivatePostgres,
    readonly database: string,
    private readonly onPrimary: pg.Client,
    private standby?: pg.Client,
  ) {}

  static async start(database: string): Promise<ReplicatedPostgres> {
    const primary = await PrivatePostgres.start();
    const replica = await PrivatePostgres.replicaOf(primary).catch(async (error) => {
      await primary.remove();
      throw error;
    });
    const url = primary.url(database);
    await ensureDatabase(url);
    await migrate(url, MIGRATIONS);
    const onPrimary = new pg.Client({ connectionString: url });
    await onPrimary.connect();
    const pair = new ReplicatedPostgres(primary, replica, database, onPrimary);
    await pair.caughtUp();
    return pair;
  }

  get primaryUrl(): string {
    return this.primary.url(this.database);
  }

  get replicaUrl(): string {
    return this.replica.url(this.database);
  }

  /** Waits until the replica has replayed everything the primary wrote so far. */
  async caughtUp(timeoutMs = 10_000): Promise<void> {
    const { rows } = await this.onPrimary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    const target = rows[0]!.lsn;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // The replica may be starting again after a stop: no connection yet is "not caught up yet".
      const standby = await this.standbyClient().catch(() => null);
      const replayed = await standby
        ?.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [target])
        .catch(() => null);
      if (replayed?.rows[0]?.ok) return;
      await sleep(20);
    }
    throw new Error(`the replica did not replay up to ${target} within ${timeoutMs} ms`);
  }

  /** Stops replay (WAL keeps arriving, nothing of it becomes visible): the replica lags until resumeReplay(). */
  async pauseReplay(): Promise<void> {
    const standby = await this.standbyClient();
    await standby.query('SELECT pg_wal_replay_pause()');
    // Pausing is asked for, then takes effect once the record in hand is replayed.
    for (let i = 0; i < 200; i++) {
      const { rows } = await standby.query<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state');
      if (rows[0]!.state === 'paused') return;
      await sleep(10);
    }
    throw new Error('replay did not pause');
  }

  async resumeReplay(): Promise<void> {
    await (await this.standbyClient()).query('SELECT pg_wal_replay_resume()');
    await this.caughtUp();
  }

  /** The replica's clock now: statements the replica runs from here on start at or after it. */
  async mark(): Promise<Date> {
    const { rows } = await (await this.standbyClient()).query<{ now: Date }>('SELECT clock_timestamp() AS now');
    return rows[0]!.now;
  }

  /**
   * The last statement of every other session on the replica's database that began one since `since`
   * (pg_stat_activity is live, unlike the cumulative statistics, which are flushed about once a second).
   */
  async statementsSince(since: Date): Promise<string[]> {
    const { rows } = await (
      await this.standbyClient()
    ).query<{ query: string }>(
      `SELECT query FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND query_start >= $1`,
      [since],
    );
    return rows.map((r) => r.query);
  }

  async stop(): Promise<void> {
    await this.standby?.end().catch(() => undefined);
    this.standby = undefined;
    await this.onPrimary.end().catch(() => undefined);
    await this.replica.remove();
    await this.primary.remove();
  }

  /** A connection to the replica, opened again after the replica was stopped and restarted. */
  private async standbyClient(): Promise<pg.Client> {
    if (this.standby) return this.standby;
    const client = new pg.Client({ connectionString: this.replicaUrl });
    client.on('error', () => (this.standby = undefined));
    client.on('end', () => (this.standby = undefined));
    await client.connect();
    this.standby = client;
    return client;
  }
}
