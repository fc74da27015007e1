import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './processes.js';

/**
 * A redis-server of a test's own on a loopback port, to stop, restart or reconfigure at will: faults are never
 * injected into the machine's shared Redis. It keeps nothing on disk, so a restart comes back empty, as after a
 * flush or a failover to an empty replica.
 */
export class PrivateRedis {
  private server?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
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
