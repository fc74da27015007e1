import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of a test's own (initdb of the machine's PostgreSQL 15, run as the `postgres` user, on a
 * loopback port), to stop, freeze and restart at will: faults are never injected into the machine's shared server.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-pg-'));
    await run('chown', ['postgres:postgres', dir]);
    const pg = new PrivatePostgres(await freePort(), join(dir, 'data'));
    await pg.asPostgres('initdb', ['-D', pg.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pg.restart();
    return pg;
  }

  /** A database URL on this server (the database is created by the migration runner). */
  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async restart(): Promise<void> {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off`;
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-o', options, '-w', '-l', `${this.dataDir}.log`, 'start']);
  }

  /** A fast shutdown: sessions are ended, as when a database server goes away. */
  async stop(): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  }

  /** SIGSTOP to the server and every backend: connections stay open and nothing answers. */
  async freeze(): Promise<void> {
    await this.signalAll('STOP');
  }

  async thaw(): Promise<void> {
    await this.signalAll('CONT');
  }

  async remove(): Promise<void> {
    await this.thaw().catch(() => undefined);
    await this.asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    await rm(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async signalAll(signal: 'STOP' | 'CONT'): Promise<void> {
    const { stdout } = await run('head', ['-n', '1', join(this.dataDir, 'postmaster.pid')]);
    const postmaster = stdout.trim();
    // The postmaster first when stopping (it forks no new backend then), last when resuming.
    const { stdout: children } = await run('pgrep', ['-P', postmaster]).catch(() => ({ stdout: '' }));
    const pids = children.split('\n').filter(Boolean);
    const order = signal === 'STOP' ? [postmaster, ...pids] : [...pids, postmaster];
    await run('kill', [`-${signal}`, ...order]);
  }

  private async asPostgres(tool: string, args: string[]): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { cwd: '/tmp' });
  }
}
