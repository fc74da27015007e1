import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort, PrivateRedis, PROJECT_ROOT, startProduct } from '#libs/contract';
import { defaultGraphParams } from '../graph/graph.params.js';
import { seedGraph } from '../graph/graph.seed.js';
import { warmMailboxes } from '../graph/graph.warm.js';
import { cleanupBench } from './bench.cleanup.js';
import { BENCH_LIMITS } from './bench.stack.js';
import { closedLoop, type LoopResult } from './closed.loop.js';

// What the request logs cost the hottest route: push timeline reads at saturation (a closed loop: `concurrency`
// clients, each sending its next read when the last one is answered), on one graph, one Redis and one database, by
// API builds and settings taken in turns (A B B A …, so a drift of the machine weighs on each alike):
//   before  the API as it was before structured logging (a build of another checkout, --before),
//   quiet   this build with LOG_LEVEL=warn: request ids and hooks, no line written,
//   logged  this build as shipped (LOG_LEVEL=log): one JSON line per request, to a file, as a deployment writes them.

const USAGE = `node dist/loadtest/bench/logging.cli.js --before DIR [--users 2000] [--rounds 2] [--seconds 20]
  [--concurrency 32] [--api-cpu N] [--profile DIR] [--database-url URL] [--redis-url URL] [--out DIR]
  --before DIR   the root of a checkout built before the logging change (npm run build there)
  --api-cpu N    the API alone on CPU N; this driver, a Redis of the run's own (instead of --redis-url) and all else
                 it starts on the other CPUs, so the load and Redis do not share the API's core
  --profile DIR  each API run writes a V8 CPU profile (--cpu-prof) there, named by variant and round`;

const { values: args } = parseArgs({
  options: {
    before: { type: 'string' },
    users: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    'api-cpu': { type: 'string' },
    profile: { type: 'string' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/fanout_lab_logging' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    out: { type: 'string', default: 'loadtest/out/logging' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help || !args.before) {
  console.log(USAGE);
  process.exit(args.help ? 0 : 2);
}

type Variant = 'before' | 'quiet' | 'logged';
const VARIANTS: Record<Variant, { root: string; env: Record<string, string> }> = {
  before: { root: resolve(args.before), env: { LOG_LEVEL: 'warn' } },
  quiet: { root: PROJECT_ROOT, env: { LOG_LEVEL: 'warn', LOG_FORMAT: 'json' } },
  logged: { root: PROJECT_ROOT, env: { LOG_LEVEL: 'log', LOG_FORMAT: 'json' } },
};
/** One round: every variant once, in an order that reverses every other round. */
const ORDER: Variant[] = ['before', 'quiet', 'logged'];

const apiCpu = args['api-cpu'] === undefined ? null : Number(args['api-cpu']);
if (apiCpu !== null && !(Number.isInteger(apiCpu) && apiCpu >= 0 && apiCpu < availableParallelism())) {
  console.error(`--api-cpu: a CPU number below ${availableParallelism()}`);
  process.exit(2);
}

/**
 * With --api-cpu: every thread of this process (and so whatever it starts later) moves off the API's CPU. A core of
 * its own is what makes the API's CPU per read steady from round to round; on shared cores it drifted by 2×.
 */
function pinDriver(cpu: number): void {
  const others = [...Array(availableParallelism()).keys()].filter((c) => c !== cpu).join(',');
  execFileSync('taskset', ['-a', '-p', '-c', others, String(process.pid)], { stdio: 'ignore' });
}

const prefix = `logbench-${process.pid}`;
const adminToken = `logbench-admin-${process.pid}-token`;
const out = resolve(args.out);
const baseEnv = {
  DATABASE_URL: args['database-url'],
  REDIS_URL: args['redis-url']!,
  REDIS_PREFIX: prefix,
  ADMIN_TOKEN: adminToken,
  TIMELINE_STRATEGY: 'push',
  ...BENCH_LIMITS,
};

/** The API of `root` on `port`, its output going straight to `logFile` (no pipe through this process). */
async function startApi(root: string, env: Record<string, string>, port: number, logFile: string, name: string) {
  const fd = openSync(logFile, 'a');
  const profile = args.profile
    ? ['--cpu-prof', '--cpu-prof-dir', resolve(args.profile), '--cpu-prof-name', `${name}.cpuprofile`]
    : [];
  const node = [process.execPath, ...profile, 'dist/apps/api/src/main.js'];
  const [command, ...argv] = apiCpu === null ? node : ['taskset', '-c', String(apiCpu), ...node];
  const child: ChildProcess = spawn(command!, argv, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...baseEnv, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null);
    if (ready?.ok) return child;
    if (child.exitCode !== null) throw new Error(`the API of ${root} exited with ${child.exitCode}: see ${logFile}`);
    await sleep(100);
  }
  throw new Error(`the API of ${root} did not become ready: see ${logFile}`);
}

/**
 * CPU seconds (user + system) a process has used, from /proc: what a read costs the API whatever else the machine
 * does meanwhile (the reads/s of a closed loop on 2 shared cores move with everything else).
 */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function main() {
  await mkdir(out, { recursive: true });
  if (apiCpu !== null) {
    pinDriver(apiCpu);
    privateRedis = await PrivateRedis.start();
    baseEnv.REDIS_URL = privateRedis.url;
    console.log(`API on CPU ${apiCpu}; this driver and its Redis (${privateRedis.url}) on the others`);
  }
  const params = { ...defaultGraphParams(), users: Number(args.users) };
  const seeded = await seedGraph({
    databaseUrl: args['database-url'],
    params,
    reset: true,
    out: join(out, 'credentials.json'),
    log: (line) => console.log(line),
  });
  const tokens = seeded.credentials.users.map((u) => u.token);
  // Mailboxes built once through the product's rebuild (an API and a worker of this build); they stay in Redis.
  const port = await freePort();
  const env = { ...baseEnv, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const [api, worker] = [await startProduct('api', env), await startProduct('worker', env)];
  console.log(
    `mailboxes warmed in ${(await warmMailboxes({ apiUrl: `http://127.0.0.1:${port}`, adminToken })).toFixed(1)} s`,
  );
  await Promise.all([api.stop(), worker.stop()]);

  const runs: (LoopResult & { variant: Variant; round: number; logBytes: number; cpuMicrosPerRead: number })[] = [];
  const logDir = mkdtempSync(join(tmpdir(), 'fanout-logbench-'));
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const variant of round % 2 === 0 ? ORDER : [...ORDER].reverse()) {
      const logFile = join(logDir, `${variant}-${round}.log`);
      const child = await startApi(VARIANTS[variant].root, VARIANTS[variant].env, port, logFile, `${variant}-${round}`);
      try {
        const cpu = { start: 0, end: 0 };
        const result = await closedLoop({
          baseUrl: `http://127.0.0.1:${port}`,
          tokens,
          concurrency: Number(args.concurrency),
          warmupSeconds: 3,
          seconds: Number(args.seconds),
          onWindow: (edge) => (cpu[edge] = cpuSeconds(child.pid!)),
        });
        const logBytes = statSync(logFile).size;
        const cpuMicrosPerRead = ((cpu.end - cpu.start) * 1e6) / result.requests;
        runs.push({ ...result, variant, round, logBytes, cpuMicrosPerRead });
        console.log(
          `${variant.padEnd(6)} round ${round}: ${result.perSecond.toFixed(0)} reads/s, ${cpuMicrosPerRead.toFixed(0)} µs ` +
            `of API CPU a read, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
            `${result.errors} errors, log ${(logBytes / 1024).toFixed(0)} KB`,
        );
      } finally {
        await stop(child);
      }
    }
  }
  rmSync(logDir, { recursive: true, force: true });
  const mean = (variant: Variant, of: (r: (typeof runs)[number]) => number) => {
    const mine = runs.filter((r) => r.variant === variant);
    return mine.reduce((sum, r) => sum + of(r), 0) / mine.length;
  };
  const perSecond = (v: Variant) => mean(v, (r) => r.perSecond);
  // One API core's capacity for these reads: a second of CPU over the CPU one read takes.
  const perCore = (v: Variant) => 1e6 / mean(v, (r) => r.cpuMicrosPerRead);
  const summary = {
    users: params.users,
    apiCpu,
    concurrency: Number(args.concurrency),
    seconds: Number(args.seconds),
    runs,
    meanPerSecond: { before: perSecond('before'), quiet: perSecond('quiet'), logged: perSecond('logged') },
    readsPerApiCoreSecond: { before: perCore('before'), quiet: perCore('quiet'), logged: perCore('logged') },
    loggedOverBefore: perCore('logged') / perCore('before'),
    quietOverBefore: perCore('quiet') / perCore('before'),
  };
  await writeFile(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  const { before, quiet, logged } = summary.readsPerApiCoreSecond;
  console.log(
    `push reads per API core-second, mean of ${args.rounds} round(s): before ${before.toFixed(0)}, quiet ` +
      `${quiet.toFixed(0)}, logged ${logged.toFixed(0)}; logged/before ${summary.loggedOverBefore.toFixed(3)}, ` +
      `quiet/before ${summary.quietOverBefore.toFixed(3)} (reads/s of the closed loop: ${JSON.stringify(
        Object.fromEntries(Object.entries(summary.meanPerSecond).map(([k, v]) => [k, Math.round(v)])),
      )})`,
  );
}

let privateRedis: PrivateRedis | undefined;

// Its database, keys and credentials go whatever happened: the figures are in summary.json and on the screen.
main()
  .catch((error: Error) => {
    console.error(error.stack ?? error.message);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupBench(
      { databaseUrl: args['database-url'], redisUrl: baseEnv.REDIS_URL, redisPrefix: prefix },
      join(out, 'credentials.json'),
      (line) => console.log(line),
    );
    await privateRedis?.stop();
  });
