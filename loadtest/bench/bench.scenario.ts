import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { between, combine } from '../../libs/metrics/metrics.aggregate.js';
import { SERIES, type ProcessSnapshot } from '../../libs/metrics/metrics.service.js';
import type { Credentials } from '../driver/credentials.model.js';
import { createTransport } from '../driver/http.transport.js';
import { drive } from '../driver/open-model.driver.js';
import { parseScenario, withOverrides, type Scenario, type Strategy } from '../driver/scenario.model.js';
import { summarizeDrive } from '../driver/summary.js';
import { PROJECT_ROOT } from '../project.paths.js';
import { type ApiClient, sleep } from './api.client.js';
import type { BenchOptions, ScenarioName } from './bench.options.js';
import { capacityOf, type BenchRun } from './bench.summary.js';
import { checkInvariant } from './invariant.check.js';

const TIMEOUT_MS = 10_000;
const SEED = 1;

export interface ScenarioContext {
  api: ApiClient;
  credentials: Credentials;
  options: BenchOptions;
  /** How often processes publish metrics: wait a little longer before the closing snapshot. */
  publishMs: number;
  log: (line: string) => void;
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
  target: { kind: 'api' | 'ceiling'; baseUrl: string },
): Promise<BenchRun> {
  const { api, log } = ctx;
  const measured = target.kind === 'api';
  log(
    `${scenario.name}/${scenario.strategy} on ${target.kind}: ${scenario.rates.join(',')}/s x ${scenario.stepSeconds} s`,
  );
  const snapshots: Promise<ProcessSnapshot[]>[] = measured ? [api.metricsSnapshots()] : [];
  await snapshots[0];
  const transport = createTransport('http', {
    baseUrl: target.baseUrl,
    maxSockets: scenario.maxInFlight,
    timeoutMs: TIMEOUT_MS,
  });
  const result = await drive({
    scenario,
    credentials: ctx.credentials,
    transport,
    timeoutMs: TIMEOUT_MS,
    seed: SEED,
    log: (line) => log(`  ${line}`),
    onPhaseEnd: () => measured && snapshots.push(api.metricsSnapshots()),
  });
  await transport.close();
  const client = summarizeDrive(scenario, result, {
    baseUrl: target.baseUrl,
    transport: 'http',
    seed: SEED,
    timeoutMs: TIMEOUT_MS,
  });
  const capacity = capacityOf(client, scenario.thresholds.p99Ms);
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
    };
  }
  const drainSeconds = await api.waitIdle();
  await sleep(ctx.publishMs + 500);
  const taken = await Promise.all([...snapshots, api.metricsSnapshots()]);
  const warmup = scenario.warmupSeconds > 0 ? 1 : 0;
  const serverSteps = client.steps.map((step, i) => ({
    step: step.step,
    series: combine(between(taken[i + warmup]!, taken[i + warmup + 1]!)).series.filter(
      (s) => s.name === SERIES.httpRequest,
    ),
  }));
  const server = combine(between(taken[warmup]!, taken[taken.length - 1]!));
  const invariant = await checkInvariant(api, ctx.credentials, ctx.options.checkUsers, SEED);
  log(
    `  capacity ${capacity.rate ?? 'none'}/s (${capacity.limitedBy}); drained in ${drainSeconds.toFixed(1)} s; ` +
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
  };
}
