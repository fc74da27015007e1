import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

// Servers of a tool's own on loopback ports, to stop, freeze and restart at will: the fault tests and `npm run chaos`
// never inject a fault into the machine's shared PostgreSQL or Redis.

/**
 * A loopback port nothing listens on now, from the OS. A port picked by arithmetic can land on one of the machine's
 * own services (NATS on 4222, Redis on 6379 …).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of a test's own on a loopback port, to stop, restart or reconfigure at will: faults are never
 * injected into the machine's shared Redis. It keeps nothing on disk, so a restart comes back empty, as after a
 * flush or a failover to an empty replica.
 */
export class PrivateRedis {
  private server?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `extraArgs`: more redis-server options (a cluster node's, say). */
  static async start(extraArgs: readonly string[] = []): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), extraArgs);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port) and waits until it answers. */
  async restart(): Promise<void> {
    if (this.server) throw new Error('already running');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push(...this.extraArgs.map((arg) => arg.replaceAll('{port}', String(this.port))));
    this.server = spawn('redis-server', args, { stdio: 'ignore' });
    this.server.once('exit', () => (this.server = undefined));
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    try {
      for (let i = 0; i < 200 && probe.status !== 'ready'; i++) {
        await probe.connect().catch(() => new Promise((resolve) => setTimeout(resolve, 50)));
      }
      if (probe.status !== 'ready') throw new Error(`redis-server on port ${this.port} did not come up`);
    } finally {
      probe.disconnect();
    }
  }

  /** SIGSTOP: the server keeps its connections but answers nothing, as a frozen or partitioned node. */
  freeze(): void {
    this.server?.kill('SIGSTOP');
  }

  thaw(): void {
    this.server?.kill('SIGCONT');
  }

  /** Stops the server (SIGKILL: gone at once, as a crashed node). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.kill('SIGCONT');
    server.kill('SIGKILL');
    await once(server, 'exit').catch(() => undefined);
  }
}

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

  /**
   * A streaming replica of `primary`, read-only, on a loopback port of its own: `pg_basebackup -R` copies the primary's
   * data directory and writes the standby settings (standby.signal, primary_conninfo), so it follows the primary's WAL
   * from then on. PostgreSQL 15's defaults allow it as they are (wal_level replica, max_wal_senders 10, and initdb's
   * pg_hba.conf trusts replication connections from 127.0.0.1 under `-A trust`). `remove()` deletes it.
   */
  static async replicaOf(primary: PrivatePostgres): Promise<PrivatePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-pg-replica-'));
    await run('chown', ['postgres:postgres', dir]);
    const replica = new PrivatePostgres(await freePort(), join(dir, 'data'));
    const source = ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'];
    await replica.asPostgres('pg_basebackup', [...source, '-D', replica.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    await replica.restart();
    return replica;
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
