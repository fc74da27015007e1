import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { deletePrefix, migrateDatabase, PROJECT_ROOT } from '#libs/contract';
import { parseCredentials, type Credentials } from '../driver/credentials.model.js';
import { countUsers, seedGraph } from '../graph/graph.seed.js';
import { evaluateGoals } from './bench.goals.js';
import type { BenchOptions } from './bench.options.js';
import { loadScenario, runScenario, type ScenarioContext } from './bench.scenario.js';
import { BENCH_LIMITS, drain, PUBLISH_MS, startBenchStack, startCeiling } from './bench.stack.js';
import { StrategySwitch } from './bench.strategy.js';
import {
  BENCH_FORMAT,
  type BenchRun,
  type BenchSummary,
  type FanoutThroughput,
  type GraphInfo,
} from './bench.summary.js';
import { measureFanoutThroughput } from './fanout.throughput.js';
import { machineInfo } from './machine.info.js';
import { measureMemory, type RedisMemory } from './redis.admin.js';

const MEMORY_SAMPLE = 500;

/** Seeds (or reuses) the graph and returns its credentials and what the report says about it. */
async function prepareGraph(o: BenchOptions, file: string, log: (line: string) => void) {
  // countUsers reads 0 from a database never migrated, so that one is seeded (which migrates); a reused one may still
  // lack the newest migrations.
  if (o.reuseGraph && existsSync(file) && (await countUsers(o.databaseUrl)) === o.graph.users) {
    await migrateDatabase(o.databaseUrl);
    const credentials = parseCredentials(JSON.parse(await readFile(file, 'utf8')), file);
    log(`reusing the graph in the database (${o.graph.users} users) and ${file}`);
    const info: Omit<GraphInfo, 'warmSeconds'> = {
      params: o.graph,
      reused: true,
      rows: null,
      followers: null,
      celebrities: credentials.celebrities.length,
      seedSeconds: null,
    };
    return { credentials, info };
  }
  const seeded = await seedGraph({ databaseUrl: o.databaseUrl, params: o.graph, reset: true, out: file, log });
  log(
    `seeded ${seeded.rows.users} users, ${seeded.rows.follows} follows, ${seeded.rows.posts} posts in ${seeded.seconds.toFixed(1)} s`,
  );
  const credentials: Credentials = seeded.credentials;
  const { users, follows, posts } = seeded.rows;
  const info: Omit<GraphInfo, 'warmSeconds'> = {
    params: o.graph,
    reused: false,
    rows: { users, follows, posts },
    followers: seeded.followers,
    celebrities: credentials.celebrities.length,
    seedSeconds: seeded.seconds,
  };
  return { credentials, info };
}

/**
 * The read scenario again under hybrid with a lower celebrity threshold (more authors in pull mode, each merged by
 * their followers' reads), then the graph's threshold back for what follows.
 */
async function celebrityVariant(ctx: ScenarioContext, switcher: StrategySwitch, threshold: number, baseUrl: string) {
  await switcher.use('hybrid', threshold);
  const scenario = await loadScenario('read', 'hybrid', ctx.options);
  const run = await runScenario(ctx, scenario, { kind: 'api', baseUrl });
  await switcher.use('hybrid');
  return { ...run, variant: { celebrityThreshold: threshold } };
}

/** The credentials file of the options' graph (written by the seeding, read with --reuse-graph). */
export const credentialsFileOf = (o: BenchOptions) =>
  resolve(PROJECT_ROOT, `loadtest/out/graph-${o.graph.users}-${o.graph.seed}.json`);

/** Everything `npm run bench` measures, in one run. */
export async function runBench(o: BenchOptions, command: string, log: (line: string) => void): Promise<BenchSummary> {
  const startedAt = new Date();
  const out = resolve(o.out);
  const logDir = join(out, 'logs');
  await mkdir(logDir, { recursive: true });
  const credentialsFile = credentialsFileOf(o);
  const { credentials, info } = await prepareGraph(o, credentialsFile, log);
  const machine = await machineInfo(o.redisUrl, o.databaseUrl);
  await deletePrefix(o.redisUrl, o.redisPrefix);
  const stack = await startBenchStack(o, logDir);
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
      o.redisUrl,
      o.redisPrefix,
      users.map((u) => u.id),
      posts,
    );
    const ctx: ScenarioContext = { api, credentials, credentialsFile, options: o, publishMs: PUBLISH_MS, log };
    for (const strategy of o.strategies) {
      await switcher.use(strategy);
      for (const name of o.scenarios) {
        const scenario = await loadScenario(name, strategy, o);
        runs.push(await runScenario(ctx, scenario, { kind: 'api', baseUrl: stack.baseUrl }));
        if (name === 'read' && strategy === 'push' && o.ceiling) {
          const epoch = (await api.config()).mailboxEpoch;
          const ceiling = await startCeiling(o, credentialsFile, epoch, logDir);
          try {
            runs.push(
              await runScenario(ctx, scenario, { kind: 'ceiling', baseUrl: `http://127.0.0.1:${o.ceilingPort}` }),
            );
          } finally {
            await ceiling.stop();
          }
        }
      }
      if (strategy === 'hybrid' && o.celebrityVariant !== undefined) {
        runs.push(await celebrityVariant(ctx, switcher, o.celebrityVariant, stack.baseUrl));
      }
      if (strategy === 'push' && o.backlogWrites > 0) {
        const redis = { url: o.redisUrl, prefix: o.redisPrefix };
        fanout = await measureFanoutThroughput(
          api,
          credentials,
          redis,
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
  // The URLs may carry credentials; the report names the database and Redis by version instead.
  const options = Object.fromEntries(
    Object.entries(o).filter(([key]) => key !== 'databaseUrl' && key !== 'redisUrl'),
  ) as BenchSummary['options'];
  return {
    format: BENCH_FORMAT,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    options,
    machine,
    graph: { ...info, warmSeconds },
    runs,
    fanout,
    memory,
    goals: evaluateGoals({ runs, fanout, memory }),
    notes: [
      "client latency is measured from each send's scheduled time (open model), by the driver in a process of its own",
      "server latency is Fastify's, from a request's arrival to its response, for answered requests (errors are counted, not timed)",
      "server figures per step are cut when the step's last request is sent: requests still in flight then count in the next step",
      'capacity ends at the first step over a limit, even if a higher step happens to pass',
      'the load generator, the API, the worker, PostgreSQL and Redis share the machine',
      `the API's per-client limits are lifted (${Object.entries(BENCH_LIMITS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}): the driver is one address sending thousands of requests per second`,
    ],
  };
}
