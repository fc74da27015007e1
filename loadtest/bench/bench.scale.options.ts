import { BenchUsageError, intOf, type Raw } from './bench.parse.js';

// The deployment a bench run measures (issue 10, "Scaling figures"): the one Redis of --redis-url or a local Redis
// Cluster, or one after the other on the same work (--compare-cluster); and how many API and worker processes.

/** Hash-tag groups (REDIS_SHARDS) on a cluster unless --redis-shards says otherwise: as the e2e-cluster tests run. */
export const CLUSTER_SHARDS = 16;
/** On one Redis: the product's default, the cheapest there (README, "Redis Cluster, ready"). */
export const SINGLE_SHARDS = 1;

export type RedisKind = 'single' | 'cluster';

export interface ScaleOptions {
  /** `single`: the Redis of --redis-url; `cluster`: a local Redis Cluster; `compare`: every phase on each, in turn. */
  redis: 'single' | 'cluster' | 'compare';
  clusterMasters: number;
  clusterReplicas: number;
  /** REDIS_SHARDS of every deployment; absent: SINGLE_SHARDS on one Redis, CLUSTER_SHARDS on a cluster. */
  redisShards?: number;
  /** API processes (ports --port, --port + 1, …; the driver spreads requests over them in turn). */
  apis: number;
  workers: number;
}

export const SCALE_USAGE = `
Deployment (the Scaling section of the report):
  --redis-cluster         run on a local Redis Cluster of the bench's own (redis-server on loopback ports), started
                          before and stopped after the run, instead of the Redis of --redis-url
  --compare-cluster       every phase twice, on one Redis and then on the local cluster (same graph, a fresh stack),
                          and the ratios cluster / one Redis (fan-out writes/s, push read capacity)
  --cluster-masters N     masters of the local cluster (3); --cluster-replicas N replicas per master (1)
  --redis-shards N        REDIS_SHARDS (1 on one Redis, ${CLUSTER_SHARDS} on a cluster)
  --apis N, --workers N   API and worker processes (1, 1); the APIs listen on --port, --port + 1, …
`;

export function parseScaleOptions(raw: Raw): ScaleOptions {
  const cluster = raw['redis-cluster'] === true;
  const compare = raw['compare-cluster'] === true;
  const masters = intOf(raw, 'cluster-masters', 3, 16);
  const replicas = intOf(raw, 'cluster-replicas', 0, 2);
  if (!cluster && !compare && (masters !== undefined || replicas !== undefined)) {
    throw new BenchUsageError(
      '--cluster-masters and --cluster-replicas shape the cluster of --redis-cluster or --compare-cluster',
    );
  }
  return {
    redis: compare ? 'compare' : cluster ? 'cluster' : 'single',
    clusterMasters: masters ?? 3,
    clusterReplicas: replicas ?? 1,
    redisShards: intOf(raw, 'redis-shards', 1, 16384),
    apis: intOf(raw, 'apis', 1, 16) ?? 1,
    workers: intOf(raw, 'workers', 1, 16) ?? 1,
  };
}

/** The deployments a run measures, in order: the first is the one the summary's runs, fan-out and memory describe. */
export function deploymentsOf(scale: ScaleOptions): RedisKind[] {
  return scale.redis === 'compare' ? ['single', 'cluster'] : [scale.redis];
}

export const shardsOn = (scale: ScaleOptions, kind: RedisKind) =>
  scale.redisShards ?? (kind === 'cluster' ? CLUSTER_SHARDS : SINGLE_SHARDS);

/** Whether the run was other than one Redis with one API and one worker: the report then has a Scaling section. */
export const scaled = (scale: ScaleOptions | undefined) =>
  scale !== undefined && (scale.redis !== 'single' || scale.apis > 1 || scale.workers > 1);

/** The API ports of a deployment; they must stay clear of the ceiling's. */
export function apiPorts(port: number, apis: number, ceilingPort: number): number[] {
  const ports = Array.from({ length: apis }, (_, i) => port + i);
  if (ports.at(-1)! > 65535) throw new BenchUsageError(`--port ${port} leaves no room for ${apis} API processes`);
  if (ports.includes(ceilingPort)) {
    throw new BenchUsageError(`the API ports ${port}..${ports.at(-1)} include --ceiling-port ${ceilingPort}`);
  }
  return ports;
}
