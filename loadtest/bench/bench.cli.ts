#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllServices } from '#libs/contract';
import { writeReports } from '../report/report.files.js';
import { cleanupBench } from './bench.cleanup.js';
import { BenchUsageError, parseBenchOptions, USAGE } from './bench.options.js';
import { credentialsFileOf, runBench } from './bench.run.js';
import { hostWarnings, judgementWarnings } from './bench.warnings.js';
import { stopLocalClusters } from './redis.target.js';

/** Set once the options are known: removes what the bench made, once, on every way out (--cleanup). */
let cleanup: (() => Promise<void>) | null = null;

async function main(argv: string[]): Promise<number> {
  const strings = [
    'users',
    'seed',
    'mean-follows',
    'zipf',
    'posts-per-user',
    'celebrity-threshold',
    'scenarios',
    'strategies',
    'rates',
    'step-seconds',
    'warmup-seconds',
    'backlog-writes',
    'check-users',
    'fanout-concurrency',
    'fanout-batch-size',
    'celebrity-variant',
    'out',
    'database-url',
    'redis-url',
    'redis-prefix',
    'port',
    'ceiling-port',
    'cluster-masters',
    'cluster-replicas',
    'redis-shards',
    'apis',
    'workers',
    'cpu-profile',
  ];
  const booleans = ['no-ceiling', 'reuse-graph', 'cleanup', 'no-cleanup', 'redis-cluster', 'compare-cluster', 'help'];
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of strings) options[name] = { type: 'string' };
  for (const name of booleans) options[name] = { type: 'boolean' };
  const { values } = parseArgs({ args: argv, options, strict: true }) as {
    values: Record<string, string | boolean | undefined>;
  };
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const bench = parseBenchOptions(values, process.env);
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const command = `npm run bench -- ${argv.map(shellQuote).join(' ')}`.trim();
  if (bench.cleanup) {
    let once: Promise<void> | null = null;
    // A failed cleanup is said, not thrown: it must not hide the error that ended the run, nor lose the report.
    cleanup = () =>
      (once ??= cleanupBench(bench, credentialsFileOf(bench), log).catch((e: Error) => log(`cleanup failed: ${e}`)));
  } else {
    log('--no-cleanup: the database, the Redis keys and the credentials file stay for the next run or a look');
  }
  const summary = await runBench(bench, command, log).finally(async () => {
    await stopLocalClusters();
    await cleanup?.();
  });
  const out = resolve(bench.out);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
  await writeReports(summary, out);
  log(`wrote ${join(out, 'report.md')}, report.html and summary.json`);
  for (const goal of summary.goals) {
    log(
      `goal ${goal.id}: ${goal.measured} (target ${goal.target}) ${goal.ok === null ? 'not judged' : goal.ok ? 'met' : 'NOT met'}`,
    );
  }
  for (const warning of [...judgementWarnings(summary.runs), ...hostWarnings(summary.runs)]) log(`WARNING: ${warning}`);
  const all = [...summary.runs, ...(summary.scaling?.deployments.flatMap((d) => d.runs) ?? [])];
  const broken = all.filter((r) => r.invariant && r.invariant.mismatches > 0);
  if (broken.length > 0) {
    console.error(`the invariant did not hold after: ${broken.map((r) => `${r.scenario}/${r.strategy}`).join(', ')}`);
    return 1;
  }
  return 0;
}

/** So the command the report prints can be pasted into a shell (`--rates "read=…;write=…"`). */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

// Interrupted (Ctrl-C, or a test runner giving up), the bench stops the API, worker and ceiling it started, and its
// local Redis Cluster.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAllServices()
      .then(() => stopLocalClusters())
      .then(() => cleanup?.())
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const usage = error instanceof BenchUsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(usage ? `${(error as Error).message}\n\n${USAGE}` : error);
    process.exitCode = usage ? 2 : 1;
  },
);
