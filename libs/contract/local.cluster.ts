import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { PrivateRedis } from './local.servers.js';
import { slotOf } from './redis.slots.js';

const run = promisify(execFile);

/**
 * A Redis Cluster of a test's own on loopback ports, from the machine's redis-server: `masters` masters with
 * `replicas` replicas each (`redis-cli --cluster create`), nothing kept on disk but the nodes' cluster state. A node
 * that stops for more than a second (cluster-node-timeout) is failed over to its replica, as in production.
 */
export class PrivateRedisCluster {
  private constructor(
    readonly nodes: PrivateRedis[],
    private readonly dir: string,
  ) {}

  static async start({ masters = 3, replicas = 1 } = {}): Promise<PrivateRedisCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'fanout-cluster-'));
    const args = ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes-{port}.conf')];
    args.push('--cluster-node-timeout', '1000', '--dir', dir);
    const nodes = await Promise.all(Array.from({ length: masters * (1 + replicas) }, () => PrivateRedis.start(args)));
    const cluster = new PrivateRedisCluster(nodes, dir);
    try {
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run('redis-cli', [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await cluster.waitUntilServing();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** REDIS_CLUSTER_NODES for this cluster. */
  get seeds(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** The nodes that are masters now (a failover changes which). */
  async masters(): Promise<PrivateRedis[]> {
    const roles = await Promise.all(this.nodes.map((node) => this.ask(node, ['ROLE']).catch(() => null)));
    return this.nodes.filter((_, i) => (roles[i] as unknown[] | null)?.[0] === 'master');
  }

  /** Until every running node says the cluster is ok and covers all slots, and every replica has synced. */
  async waitUntilServing(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(this.nodes.map((node) => this.ask(node, ['CLUSTER', 'INFO']).catch(() => '')));
      const replication = await Promise.all(
        this.nodes.map((node) => this.ask(node, ['INFO', 'replication']).catch(() => '')),
      );
      const ok = states.every((info) => info === '' || /cluster_state:ok/.test(String(info)));
      const covered = states.some((info) => /cluster_slots_ok:16384/.test(String(info)));
      const synced = replication.every(
        (info) => !/role:slave/.test(String(info)) || /master_link_status:up/.test(String(info)),
      );
      if (ok && covered && synced) return;
      if (Date.now() > deadline) throw new Error(`the local Redis Cluster did not come up:\n${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The node that is master of `key`'s slot now (from CLUSTER SLOTS, as a client learns it). */
  async masterOf(key: string): Promise<PrivateRedis> {
    const slot = slotOf(key);
    for (const node of this.nodes) {
      const ranges = (await this.ask(node, ['CLUSTER', 'SLOTS']).catch(() => null)) as
        [number, number, [string, number]][] | null;
      const range = ranges?.find(([from, to]) => slot >= from && slot <= to);
      if (range) return this.nodes.find((n) => n.port === Number(range[2][1]))!;
    }
    throw new Error(`no node serves slot ${slot}`);
  }

  /**
   * A planned failover of `master` (CLUSTER FAILOVER on its replica): the replica takes its slots and the old master
   * becomes its replica, nothing lost. Clients that mapped the slots before are sent MOVED. Returns the new master.
   */
  async failOver(master: PrivateRedis): Promise<PrivateRedis> {
    const roles = await Promise.all(this.nodes.map((node) => this.ask(node, ['ROLE']).catch(() => null)));
    const index = roles.findIndex((role) => {
      const [kind, , port] = (role as [string, string, number] | null) ?? [];
      return kind === 'slave' && Number(port) === master.port;
    });
    if (index < 0) throw new Error(`master ${master.port} has no replica`);
    const promoted = this.nodes[index]!;
    await this.ask(promoted, ['CLUSTER', 'FAILOVER']);
    const deadline = Date.now() + 10_000;
    while (((await this.ask(promoted, ['ROLE'])) as string[])[0] !== 'master') {
      if (Date.now() > deadline) throw new Error(`replica ${promoted.port} did not take over`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.waitUntilServing();
    return promoted;
  }

  /** Keys held by the masters, all slots together. */
  async keyCount(): Promise<number> {
    const sizes = await Promise.all((await this.masters()).map((node) => this.ask(node, ['DBSIZE'])));
    return sizes.reduce<number>((sum, size) => sum + Number(size), 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async ask(node: PrivateRedis, command: string[]): Promise<unknown> {
    const client = new Redis(node.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return await client.call(command[0]!, ...command.slice(1));
    } finally {
      client.disconnect();
    }
  }
}
