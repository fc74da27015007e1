import { mkdir } from 'node:fs/promises';
import { deletePrefix } from '#libs/contract';
import type { Credentials } from '../driver/credentials.model.js';
import type { BenchOptions } from './bench.options.js';
import { type RedisKind, shardsOn } from './bench.scale.options.js';
import { loadScenario, runScenario, type ScenarioContext } from './bench.scenario.js';
import { drain, PUBLISH_MS, startBenchStack, startCeiling } from './bench.stack.js';
import { StrategySwitch } from './bench.strategy.js';
import type { BenchRun, FanoutThroughput } from './bench.summary.js';
import { measureFanoutThroughput } from './fanout.throughput.js';
import { measureMemory, type RedisMemory } from './redis.admin.js';
import { singleRedis, startLocalCluster, type RedisTarget } from './redis.target.js';

// One deployment measured: its Redis (the one of --redis-url, or a local cluster started for it and stopped after),
// its API and worker processes, then every phase of the bench on it. --compare-cluster measures two, in turn, on the
// same graph.

const MEMORY_SAMPLE = 500;

/** What a deployment looked like: the report's Scaling section names it. */
export interface DeploymentShape {
  redis: RedisKind;
  /** Masters (1: one Redis) and replicas per master (0 on one Redis). */
  masters: number;
  replicasPerMaster: number;
  /** REDIS_SHARDS. */
  shards: number;
  apis: number;
  workers: number;
}

export interface DeploymentResult {
  shape: DeploymentShape;
  runs: BenchRun[];
  fanout: FanoutThroughput | null;
  memory: RedisMemory | null;
  warmSeconds: number;
}

export interface GraphContext {
  credentials: Credentials;
  credentialsFile: string;
}

/**
 * The read scenario again under hybrid with a lower celebrity threshold (more authors in pull mode, each merged by
 * their followers' reads), then the graph's threshold back for what follows.
 */
async function celebrityVariant(
  ctx: ScenarioContext,
  switcher: StrategySwitch,
  threshold: number,
  baseUrl: string,
  pids: readonly number[],
) {
  await switcher.use('hybrid', threshold);
  const scenario = await loadScenario('read', 'hybrid', ctx.options);
  const run = await runScenario(ctx, scenario, { kind: 'api', baseUrl, pids });
  await switcher.use('hybrid');
  return { ...run, variant: { celebrityThreshold: threshold } };
}

export async function startTarget(o: BenchOptions, kind: RedisKind, log: (line: string) => void) {
  const shards = shardsOn(o.scale, kind);
  if (kind === 'single') return singleRedis(o.redisUrl, shards);
  return startLocalCluster(o.scale.clusterMasters, o.scale.clusterReplicas, shards, log);
}

/** Starts the deployment on `kind`'s Redis, runs every phase on it, and stops it (and its cluster) whatever happens. */
export async function measureDeployment(
  o: BenchOptions,
  kind: RedisKind,
  graph: GraphContext,
  logDir: string,
  log: (line: string) => void,
): Promise<DeploymentResult> {
  await mkdir(logDir, { recursive: true });
  const target = await startTarget(o, kind, log);
  try {
    // One Redis may hold keys of an earlier run under the prefix; a cluster of the bench's own starts empty.
    if (kind === 'single') await deletePrefix(o.redisUrl, o.redisPrefix);
    const shape: DeploymentShape = {
      redis: kind,
      masters: target.masters.length,
      replicasPerMaster: target.replicasPerMaster,
      shards: target.shards,
      apis: o.scale.apis,
      workers: o.scale.workers,
    };
    log(
      `deployment: ${kind === 'single' ? 'one Redis' : `a Redis Cluster of ${shape.masters} masters`}, ` +
        `REDIS_SHARDS=${shape.shards}, ${shape.apis} API and ${shape.workers} worker process(es)`,
    );
    return { shape, ...(await phases(o, target, graph, logDir, log)) };
  } finally {
    await target.stop();
  }
}

/** Every phase of the bench on one deployment (README of loadtest/bench, "What a run does", from step 2). */
async function phases(
  o: BenchOptions,
  target: RedisTarget,
  { credentials, credentialsFile }: GraphContext,
  logDir: string,
  log: (line: string) => void,
) {
  const stack = await startBenchStack(o, target, logDir);
  const runs: BenchRun[] = [];
  let fanout: FanoutThroughput | null = null;
  let memory: RedisMemory | null = null;
  let warmSeconds = 0;
  try {
    const { api } = stack;
    const switcher = new StrategySwitch(api, credentials, o.graph.celebrityThreshold, log);
    // Mailboxes are built once, under a strategy that keeps them (a rebuild under pull does nothing).
    const strategy = o.strategies.find((x) => x !== 'pull') ?? 'hybrid';
    await api.patchConfig({ strategy, celebrityThreshold: o.graph.celebrityThreshold });
    await drain(api, `setting ${strategy}`, log);
    warmSeconds = await switcher.warm();
    // Measured now, while every post is in the mailboxes (nobody is in pull mode yet).
    const users = credentials.users.filter(
      (_, i) => i % Math.max(1, Math.floor(credentials.users.length / MEMORY_SAMPLE)) === 0,
    );
    const posts = (await Promise.all(users.slice(0, 50).map((u) => api.timeline(u.token, 'push', 20)))).flatMap((p) =>
      p.items.map((i) => i.id),
    );
    memory = await measureMemory(
      target,
      o.redisPrefix,
      users.map((u) => u.id),
      posts,
    );
    const ctx: ScenarioContext = { api, credentials, credentialsFile, options: o, publishMs: PUBLISH_MS, log };
    for (const strategy of o.strategies) {
      await switcher.use(strategy);
      for (const name of o.scenarios) {
        const scenario = await loadScenario(name, strategy, o);
        runs.push(await runScenario(ctx, scenario, { kind: 'api', baseUrl: stack.baseUrl, pids: stack.apiPids }));
        if (name === 'read' && strategy === 'push' && o.ceiling) {
          if (target.kind === 'cluster') {
            log('the ceiling has no cluster client: not run on the cluster');
            continue;
          }
          const epoch = (await api.config()).mailboxEpoch;
          const ceiling = await startCeiling(o, target.shards, credentialsFile, epoch, logDir);
          try {
            runs.push(
              await runScenario(ctx, scenario, {
                kind: 'ceiling',
                baseUrl: `http://127.0.0.1:${o.ceilingPort}`,
                pids: [ceiling.child.pid!],
              }),
            );
          } finally {
            await ceiling.stop();
          }
        }
      }
      if (strategy === 'hybrid' && o.celebrityVariant !== undefined) {
        runs.push(await celebrityVariant(ctx, switcher, o.celebrityVariant, stack.baseUrl, stack.apiPids));
      }
      if (strategy === 'push' && o.backlogWrites > 0) {
        fanout = await measureFanoutThroughput(
          api,
          credentials,
          { target, prefix: o.redisPrefix, workerPids: stack.workerPids },
          o.backlogWrites,
          PUBLISH_MS,
          o.fanoutConcurrency ?? null,
          log,
        );
      }
    }
  } finally {
    await stack.stop();
  }
  return { runs, fanout, memory, warmSeconds };
}
