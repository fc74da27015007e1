import { Redis } from 'ioredis';
import { PrivateRedisCluster, slotOf } from '#libs/contract';
import type { RedisKind } from './bench.scale.options.js';

// The Redis a bench deployment runs on: the one of --redis-url, or a local Redis Cluster of the bench's own. What the
// bench reads or writes in Redis itself (INFO, MEMORY USAGE, the queue pause, redis-benchmark, cleanup) goes to a
// master by URL: one Redis is one master; on a cluster, a key goes to the master of its slot, and server figures are
// read from every master and added up.

/** A slot range and the master serving it (`host:port`), from CLUSTER SLOTS. */
export type SlotRange = { from: number; to: number; master: string };

export interface RedisTarget {
  kind: RedisKind;
  /** The masters' URLs: the one Redis (its database included), or the cluster's masters. */
  masters: string[];
  /** The cluster's replicas' URLs (none on one Redis): their CPU is reported beside the masters'. */
  replicas: string[];
  replicasPerMaster: number;
  /** REDIS_SHARDS of the deployment (the product's key names depend on it). */
  shards: number;
  /** REDIS_URL, and REDIS_CLUSTER_NODES on a cluster, for the product's processes. */
  env: Record<string, string>;
  /** The URL of the master serving `key`'s slot. */
  masterOf(key: string): string;
  /** Stops the local cluster (nothing for one Redis, which is not the bench's). */
  stop(): Promise<void>;
}

export function singleRedis(url: string, shards: number): RedisTarget {
  return {
    kind: 'single',
    masters: [url],
    replicas: [],
    replicasPerMaster: 0,
    shards,
    env: { REDIS_URL: url },
    masterOf: () => url,
    stop: async () => {},
  };
}

/** The clusters started and not yet stopped: an interrupted bench stops them (stopLocalClusters). */
const running = new Set<PrivateRedisCluster>();

export async function startLocalCluster(
  masters: number,
  replicas: number,
  shards: number,
  log: (line: string) => void,
): Promise<RedisTarget> {
  const cluster = await PrivateRedisCluster.start({ masters, replicas });
  running.add(cluster);
  const stop = async () => {
    if (running.delete(cluster)) await cluster.stop();
  };
  try {
    const nodes = await cluster.masters();
    const masterUrls = nodes.map((node) => node.url);
    const ranges = await slotRanges(masterUrls[0]!);
    const byAddress = new Map(nodes.map((node) => [`127.0.0.1:${node.port}`, node.url]));
    log(`local Redis Cluster: ${masters} masters (${masterUrls.join(', ')}), ${replicas} replica(s) each`);
    return {
      kind: 'cluster',
      masters: masterUrls,
      replicas: cluster.nodes.filter((node) => !nodes.includes(node)).map((node) => node.url),
      replicasPerMaster: replicas,
      shards,
      env: { REDIS_URL: masterUrls[0]!, REDIS_CLUSTER_NODES: cluster.seeds },
      masterOf: (key) => byAddress.get(ownerOf(ranges, slotOf(key)))!,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Stops every local cluster still running (the bench's SIGINT/SIGTERM handler and its last resort). */
export async function stopLocalClusters(): Promise<void> {
  const clusters = [...running];
  running.clear();
  await Promise.all(clusters.map((c) => c.stop()));
}

async function slotRanges(url: string): Promise<SlotRange[]> {
  const redis = new Redis(url);
  try {
    return parseClusterSlots((await redis.call('CLUSTER', 'SLOTS')) as unknown[]);
  } finally {
    redis.disconnect();
  }
}

/** CLUSTER SLOTS' reply (`[[from, to, [host, port, id], …replicas], …]`) as ranges and their masters. */
export function parseClusterSlots(reply: readonly unknown[]): SlotRange[] {
  return reply.map((entry) => {
    const [from, to, master] = entry as [number, number, [string, number]];
    return { from: Number(from), to: Number(to), master: `${master[0]}:${master[1]}` };
  });
}

export function ownerOf(ranges: readonly SlotRange[], slot: number): string {
  const range = ranges.find((r) => slot >= r.from && slot <= r.to);
  if (!range) throw new Error(`no master serves slot ${slot}`);
  return range.master;
}

/**
 * A hash tag (`z<n>`, the first n that fits) whose slot `master` serves: keys `<prefix>:{tag}:…` all go to it, so a
 * plain client (redis-benchmark) writing them there is never redirected. One Redis serves every tag: `z0`.
 */
export function tagOn(masterOf: (key: string) => string, master: string): string {
  for (let n = 0; n < 100_000; n++) {
    if (masterOf(`{z${n}}`) === master) return `z${n}`;
  }
  throw new Error(`no hash tag found for ${master}`);
}

/** `host:port` of a redis:// URL. */
export const addressOf = (url: string) => new URL(url).host;
