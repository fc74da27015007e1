import type { DeploymentResult, DeploymentShape } from './bench.deployment.js';
import type { BenchRun, BenchSummary, Capacity } from './bench.summary.js';

// The Scaling figures of a run (issue 10): on 2 shared cores a cluster or more processes cannot add throughput, so
// what the run can say honestly is per Redis (per master, and per second of a Redis core), per process, and the cost of
// the cluster as a ratio against one Redis on the same work.

/** One deployment measured. The first is the one the summary's runs, fan-out and memory describe. */
export interface ScaledDeployment extends Omit<DeploymentResult, 'runs'> {
  /** The deployment's runs; empty for the first, whose runs are the summary's `runs` (not stored twice). */
  runs: BenchRun[];
}

export interface Scaling {
  deployments: ScaledDeployment[];
}

export function scalingOf(results: readonly DeploymentResult[]): Scaling {
  return { deployments: results.map((r, i) => ({ ...r, runs: i === 0 ? [] : r.runs })) };
}

export function deploymentRuns(summary: Pick<BenchSummary, 'runs'>, scaling: Scaling, index: number): BenchRun[] {
  return index === 0 ? summary.runs : (scaling.deployments[index]?.runs ?? []);
}

/** The figures the Scaling section compares, for one deployment. */
export interface DeploymentFigures {
  shape: DeploymentShape;
  /** Fan-out backlog drain: mailbox writes/s in all, per master (mean), per worker process (mean). */
  writesPerSec: number | null;
  writesPerSecPerMaster: number | null;
  writesPerSecPerWorker: number | null;
  /** Mailbox writes per second of the masters' CPU (main thread, INFO cpu): the per-Redis-core figure. */
  writesPerRedisCpuSecond: number | null;
  cpuMicrosPerWrite: number | null;
  /** redis-benchmark ZADD -P 64 on one Redis (one master of a cluster), and the per-master drain against it. */
  zaddPerSec: number | null;
  ratioToZadd: number | null;
  /** Push's read ladder on the product (not the ceiling): capacity and sustained rate, in all and per API process. */
  pushRead: Pick<Capacity, 'rate' | 'sustained'> | null;
  pushReadPerApi: Pick<Capacity, 'rate' | 'sustained'> | null;
}

const per = (value: number | null | undefined, n: number) =>
  value === null || value === undefined || n <= 0 ? null : Math.round(value / n);

/** The main push read run of a deployment (never the ceiling's, never a variant's repeat). */
export const pushRead = (runs: readonly BenchRun[]) =>
  runs.find((r) => r.scenario === 'read' && r.strategy === 'push' && r.target === 'api' && !r.variant);

export function figuresOf(summary: Pick<BenchSummary, 'runs'>, scaling: Scaling): DeploymentFigures[] {
  return scaling.deployments.map((d, i) => {
    const f = d.fanout;
    const read = pushRead(deploymentRuns(summary, scaling, i));
    const cpu = f?.redisCost?.cpuMicrosPerEntry ?? null;
    // Per second of Redis CPU: from the masters' own counts when measured (the per-master table's), else the workers'.
    const masters = f?.perMaster ?? [];
    const masterCpu = masters.reduce((sum, m) => sum + m.cpuMicros, 0);
    const masterWrites = masters.reduce((sum, m) => sum + m.writes, 0);
    return {
      shape: d.shape,
      writesPerSec: f?.writesPerSec ?? null,
      writesPerSecPerMaster: per(f?.writesPerSec, d.shape.masters),
      writesPerSecPerWorker: per(f?.writesPerSec, d.shape.workers),
      writesPerRedisCpuSecond:
        masterCpu > 0 ? Math.round((masterWrites / masterCpu) * 1e6) : cpu ? Math.round(1e6 / cpu) : null,
      cpuMicrosPerWrite: cpu,
      zaddPerSec: f?.zaddPerSec ?? null,
      ratioToZadd: f?.ratioToZadd ?? null,
      pushRead: read ? { rate: read.capacity.rate, sustained: read.capacity.sustained } : null,
      pushReadPerApi: read
        ? { rate: per(read.capacity.rate, d.shape.apis), sustained: per(read.capacity.sustained, d.shape.apis) }
        : null,
    };
  });
}

/** cluster / one Redis, to two decimals; null when either side was not measured (or is zero on one Redis). */
export const ratio = (cluster: number | null, single: number | null) =>
  cluster === null || single === null || single === 0 ? null : Math.round((cluster / single) * 100) / 100;

export interface ClusterComparison {
  single: DeploymentFigures;
  cluster: DeploymentFigures;
  /** Fan-out writes/s, cluster / one Redis. */
  writes: number | null;
  /** Push read capacity and sustained rate, cluster / one Redis. */
  readCapacity: number | null;
  readSustained: number | null;
  /** Redis CPU per mailbox write (all masters), cluster / one Redis: above 1, the cluster costs more per write. */
  cpuPerWrite: number | null;
}

/** With --compare-cluster: the one-Redis deployment against the cluster, on the same work. */
export function clusterComparison(figures: readonly DeploymentFigures[]): ClusterComparison | null {
  const single = figures.find((f) => f.shape.redis === 'single');
  const cluster = figures.find((f) => f.shape.redis === 'cluster');
  if (!single || !cluster) return null;
  return {
    single,
    cluster,
    writes: ratio(cluster.writesPerSec, single.writesPerSec),
    readCapacity: ratio(cluster.pushRead?.rate ?? null, single.pushRead?.rate ?? null),
    readSustained: ratio(cluster.pushRead?.sustained ?? null, single.pushRead?.sustained ?? null),
    cpuPerWrite: ratio(cluster.cpuMicrosPerWrite, single.cpuMicrosPerWrite),
  };
}

/** "one Redis" or "3 masters × 1 replica": the deployment's Redis, in words. */
export function redisOf(shape: DeploymentShape): string {
  if (shape.redis === 'single') return 'one Redis';
  const replicas = shape.replicasPerMaster === 0 ? 'no replicas' : `${shape.replicasPerMaster} replica(s) each`;
  return `cluster: ${shape.masters} masters, ${replicas}`;
}
