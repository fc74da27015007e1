import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiClient,
  between,
  combine,
  type ProcessSnapshot,
  PROJECT_ROOT,
  SERIES,
  type Strategy,
  track,
} from '#libs/contract';
import type { Credentials } from '../driver/credentials.model.js';
import { parseScenario, withOverrides, type Scenario } from '../driver/scenario.model.js';
import type { RunSummary } from '../driver/summary.js';
import type { BenchOptions, ScenarioName } from './bench.options.js';
import { mapLimit } from './bench.lanes.js';
import { drain } from './bench.stack.js';
import { capacityOf, capacityText, type BenchRun, type ServerCpuStep } from './bench.summary.js';
import { checkInvariant } from './invariant.check.js';
import { cpuMicrosOf, idleCpuMsPerSecond } from './process.cpu.js';

const TIMEOUT_MS = 10_000;
const SEED = 1;
/** How long the server's idle CPU is read before a ladder (in ns: a fraction of a ms a second over 3 s). */
const IDLE_MS = 3000;

export interface ScenarioContext {
  api: ApiClient;
  credentials: Credentials;
  credentialsFile: string;
  options: BenchOptions;
  /** How often processes publish metrics: wait a little longer before the closing snapshot. */
  publishMs: number;
  log: (line: string) => void;
}

/**
 * Runs the driver CLI as its own process, as a user would, so that nothing of the bench (its heap, its garbage
 * collections, the children's output) delays the sends: run in the bench's process, the driver's own dispatch lag
 * reached 20-60 ms at p99. `onPhaseEnd` fires on each phase-end line the driver prints.
 */
async function driveInChild(
  ctx: ScenarioContext,
  scenario: Scenario,
  baseUrl: string,
  onPhaseEnd: () => void,
): Promise<RunSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'fanout-bench-'));
  try {
    const scenarioFile = join(dir, 'scenario.json');
    const out = join(dir, 'summary.json');
    await writeFile(scenarioFile, JSON.stringify(scenario));
    const args = [
      ...['--scenario', scenarioFile, '--credentials', ctx.credentialsFile, '--base-url', baseUrl, '--out', out],
      ...['--seed', String(SEED), '--timeout-ms', String(TIMEOUT_MS), '--quiet-stdout'],
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = track(
        spawn(process.execPath, [join(PROJECT_ROOT, 'dist/loadtest/driver/drive.cli.js'), ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        }),
      );
      const lines = createInterface({ input: child.stderr });
      lines.on('line', (line) => {
        ctx.log(`  ${line}`);
        if (/^(warm-up|step \d+\/\d+) at /.test(line)) onPhaseEnd();
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    // 99: a p99 threshold failed, which the top of a ladder is meant to find.
    if (code !== 0 && code !== 99) throw new Error(`the driver exited with ${code}`);
    return JSON.parse(await readFile(out, 'utf8')) as RunSummary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every user's first page read once before a read ladder: whichever strategy (or the ceiling) runs first then meets
 * the same warm caches as the others (the post cache in Redis, the API's cache of verified tokens and pull-mode
 * authors' timelines), not a cold start the others are spared. The last run measured hybrid first and cold: its p50
 * was 2.3x what the same strategy showed warm, with ten times the celebrities.
 */
async function warmReads(ctx: ScenarioContext, scenario: Scenario, baseUrl: string): Promise<void> {
  const started = performance.now();
  const client = new ApiClient(baseUrl);
  await mapLimit(ctx.credentials.users, 32, (user) => client.timeline(user.token, scenario.strategy, scenario.limit));
  const seconds = (performance.now() - started) / 1000;
  ctx.log(
    `caches warmed: every user's first page read once (${ctx.credentials.users.length} reads, ${seconds.toFixed(1)} s)`,
  );
}

export async function loadScenario(name: ScenarioName, strategy: Strategy, options: BenchOptions): Promise<Scenario> {
  const file = resolve(PROJECT_ROOT, 'loadtest/scenarios', `${name}.json`);
  const scenario = parseScenario(JSON.parse(await readFile(file, 'utf8')), file);
  return withOverrides(
    scenario,
    {
      strategy,
      rates: options.rates[name],
      stepSeconds: options.stepSeconds,
      warmupSeconds: options.warmupSeconds,
    },
    `${file} with the bench's options`,
  );
}

/**
 * Runs one scenario's ladder against the product (or the ceiling server), with server-side snapshots taken before
 * the ladder, at the end of every phase and after the fan-out has drained, then checks the invariant.
 */
export async function runScenario(
  ctx: ScenarioContext,
  scenario: Scenario,
  target: { kind: 'api' | 'ceiling'; baseUrl: string; pids: readonly number[] },
): Promise<BenchRun> {
  const { api, log } = ctx;
  const measured = target.kind === 'api';
  log(
    `${scenario.name}/${scenario.strategy} on ${target.kind}: ${scenario.rates.join(',')}/s x ${scenario.stepSeconds} s`,
  );
  if (scenario.name === 'read') await warmReads(ctx, scenario, target.baseUrl);
  // Who is in pull mode as the run starts: what hybrid reads merge (the report compares runs by it).
  const flags = measured ? await api.config() : null;
  const snapshots: Promise<ProcessSnapshot[]>[] = measured ? [api.metricsSnapshots()] : [];
  await snapshots[0];
  // Idle once the warm-up reads' aftermath (their collections, the metrics published after them) is over.
  await sleep(ctx.publishMs);
  const idleCpu = await idleCpuMsPerSecond(target.pids, IDLE_MS);
  const cpu = [cpuMicrosOf(target.pids)];
  const client = await driveInChild(ctx, scenario, target.baseUrl, () => {
    cpu.push(cpuMicrosOf(target.pids));
    if (measured) snapshots.push(api.metricsSnapshots());
  });
  const capacity = capacityOf(client, scenario.thresholds.p99Ms);
  const serverCpu = cpuPerStep(client, cpu, scenario.warmupSeconds > 0 ? 1 : 0, idleCpu);
  const serverIdleCpu = Math.round(idleCpu * 10) / 10;
  if (!measured) {
    return {
      scenario: scenario.name,
      strategy: scenario.strategy,
      target: 'ceiling',
      client,
      server: null,
      serverSteps: [],
      drainSeconds: null,
      invariant: null,
      capacity,
      serverCpu,
      serverIdleCpu,
    };
  }
  const { seconds: drainSeconds } = await drain(api, `draining after ${scenario.name}/${scenario.strategy}`, log);
  await sleep(ctx.publishMs + 500);
  const taken = await Promise.all([...snapshots, api.metricsSnapshots()]);
  const warmup = scenario.warmupSeconds > 0 ? 1 : 0;
  // One snapshot before, one per phase end the driver printed, one after: a driver that printed otherwise would
  // silently shift every step's server figures.
  if (taken.length !== 1 + warmup + client.steps.length + 1) {
    throw new Error(
      `expected ${warmup + client.steps.length} phase-end lines from the driver, saw ${taken.length - 2}`,
    );
  }
  const serverSteps = client.steps.map((step, i) => ({
    step: step.step,
    series: combine(between(taken[i + warmup]!, taken[i + warmup + 1]!)).series.filter(
      (s) => s.name === SERIES.httpRequest,
    ),
  }));
  const server = combine(between(taken[warmup]!, taken[taken.length - 1]!));
  const invariant = await checkInvariant(api, ctx.credentials, ctx.options.checkUsers, SEED);
  log(
    `  capacity: ${capacityText(capacity)} (${capacity.limitedBy}); drained in ${drainSeconds.toFixed(1)} s; ` +
      `invariant: ${invariant.mismatches} of ${invariant.users} users differ`,
  );
  return {
    scenario: scenario.name,
    strategy: scenario.strategy,
    target: 'api',
    client,
    server: { series: server.series, counters: server.counters },
    serverSteps,
    drainSeconds,
    invariant,
    capacity,
    serverCpu,
    serverIdleCpu,
    ...(flags && { pullMode: { celebrityThreshold: flags.celebrityThreshold, authors: flags.pullModeAuthors } }),
  };
}

/**
 * The server's CPU over each ladder step (samples: before the warm-up, then at each phase end), per request sent, and
 * the same net of its idle CPU (ms/s) over the step.
 */
export function cpuPerStep(
  client: RunSummary,
  cpu: number[],
  warmup: number,
  idleMsPerSecond: number,
): ServerCpuStep[] | undefined {
  if (cpu.length !== 1 + warmup + client.steps.length) return undefined;
  const perRequest = (ms: number, sent: number | null) => (sent ? Math.round((ms / sent) * 1000) / 1000 : null);
  return client.steps.map((step, i) => {
    const micros = cpu[i + warmup + 1]! - cpu[i + warmup]!;
    return {
      step: step.step,
      targetRate: step.targetRate,
      cpuSeconds: Math.round(micros / 1e4) / 100,
      msPerRequest: perRequest(micros / 1000, step.sent),
      netMsPerRequest: perRequest(Math.max(0, micros / 1000 - idleMsPerSecond * step.durationSeconds), step.sent),
    };
  });
}
