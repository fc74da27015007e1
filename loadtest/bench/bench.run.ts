import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { migrateDatabase, PROJECT_ROOT } from '#libs/contract';
import { parseCredentials, type Credentials } from '../driver/credentials.model.js';
import { countUsers, seedGraph } from '../graph/graph.seed.js';
import { type DeploymentResult, measureDeployment } from './bench.deployment.js';
import { evaluateGoals } from './bench.goals.js';
import type { BenchOptions } from './bench.options.js';
import { deploymentsOf, scaled } from './bench.scale.options.js';
import { scalingOf } from './bench.scaling.js';
import { BENCH_LIMITS } from './bench.stack.js';
import { BENCH_FORMAT, type BenchSummary, type GraphInfo } from './bench.summary.js';
import { machineInfo } from './machine.info.js';

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

/** The credentials file of the options' graph (written by the seeding, read with --reuse-graph). */
export const credentialsFileOf = (o: BenchOptions) =>
  resolve(PROJECT_ROOT, `loadtest/out/graph-${o.graph.users}-${o.graph.seed}.json`);

/** Everything `npm run bench` measures, in one run: every phase on each deployment asked for (one, or two in turn). */
export async function runBench(o: BenchOptions, command: string, log: (line: string) => void): Promise<BenchSummary> {
  const startedAt = new Date();
  const out = resolve(o.out);
  const credentialsFile = credentialsFileOf(o);
  const { credentials, info } = await prepareGraph(o, credentialsFile, log);
  const machine = await machineInfo(o.redisUrl, o.databaseUrl);
  const kinds = deploymentsOf(o.scale);
  const results: DeploymentResult[] = [];
  for (const [i, kind] of kinds.entries()) {
    // The first deployment's logs where they always were; a second one's beside them.
    const logDir = join(out, 'logs', ...(i === 0 ? [] : [kind]));
    results.push(await measureDeployment(o, kind, { credentials, credentialsFile }, logDir, log));
  }
  const { runs, fanout, memory, warmSeconds } = results[0]!;
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
    ...(scaled(o.scale) && { scaling: scalingOf(results) }),
    notes: [
      "client latency is measured from each send's scheduled time (open model), by the driver in a process of its own",
      "server latency is Fastify's, from a request's arrival to its response, for answered requests (errors are counted, not timed)",
      "server figures per step are cut when the step's last request is sent: requests still in flight then count in the next step",
      'capacity ends at the first step over a limit, even if a higher step happens to pass',
      "before each strategy's runs every user read their timeline once under it, so no run starts on cold caches",
      'the load generator, the API, the worker, PostgreSQL and Redis share the machine',
      ...scalingNotes(o),
      `the API's per-client limits are lifted (${Object.entries(BENCH_LIMITS)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}): the driver is one address sending thousands of requests per second`,
    ],
  };
}

/** What a cluster or several processes change in how the figures read. */
function scalingNotes(o: BenchOptions): string[] {
  const notes: string[] = [];
  if (o.scale.apis > 1) notes.push(`the driver sends to the ${o.scale.apis} API processes in turn, one request each`);
  if (o.scale.redis === 'single') return notes;
  return [
    ...notes,
    `the local Redis Cluster (${o.scale.clusterMasters} masters, ${o.scale.clusterReplicas} replica(s) each) runs on ` +
      "the same cores as everything else: on a cluster a delivery waits for its master's replica (WAIT 1), and the " +
      'replicas replay every write',
    'on the cluster, redis-benchmark ZADD -P 64 runs against one master (keys of one hash tag it serves): a ' +
      'per-Redis-core limit, compared with the mailbox writes per master',
    'the ceiling (a bare node:http + ioredis server) has no cluster client and runs on one Redis only',
  ];
}
