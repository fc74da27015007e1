#!/usr/bin/env node
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { Strategy } from '#libs/contract';
import { parseCredentials } from './credentials.model.js';
import { baseUrlsOf, createTransports, type TransportName } from './http.transport.js';
import { drive } from './open-model.driver.js';
import { parseRates, parseScenario, withOverrides, type ScenarioOverrides } from './scenario.model.js';
import { summarizeDrive } from './summary.js';
import { renderText } from './summary.text.js';

// node dist/loadtest/driver/drive.cli.js --scenario loadtest/scenarios/read.json --credentials <file> \
//   [--base-url http://127.0.0.1:3000[,http://127.0.0.1:3001…] (sent to in turn)] [--rates 500,1000] [--step-seconds 10] [--warmup-seconds 5] [--strategy push]
//   [--max-in-flight 512] [--limit 20] [--out loadtest/out/<name>-<strategy>.json] [--seed 1] [--transport http|fetch]
//   [--timeout-ms 10000] [--spin] [--quiet] [--quiet-stdout]
// Exit codes follow k6: 0 ok, 99 a p99 threshold failed, 2 bad arguments or files, 1 anything else.

const USAGE =
  'usage: drive.cli.js --scenario <file.json> --credentials <file.json> [--base-url URL[,URL…]] [--rates 500,1000] ' +
  '[--step-seconds N] [--warmup-seconds N] [--strategy push|pull|hybrid] [--max-in-flight N] [--limit N] [--out FILE.json] ' +
  '[--seed N] [--transport http|fetch] [--timeout-ms N] [--spin] [--quiet] [--quiet-stdout]';

class UsageError extends Error {}

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
};

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      credentials: { type: 'string' },
      'base-url': { type: 'string', default: 'http://127.0.0.1:3000' },
      rates: { type: 'string' },
      'step-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      strategy: { type: 'string' },
      'max-in-flight': { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      transport: { type: 'string', default: 'http' },
      'timeout-ms': { type: 'string', default: '10000' },
      spin: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'quiet-stdout': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.scenario || !values.credentials) throw new UsageError('--scenario and --credentials are required');
  if (values.transport !== 'http' && values.transport !== 'fetch')
    throw new UsageError('--transport must be http or fetch');
  const baseUrl = values['base-url'];
  try {
    baseUrlsOf(baseUrl);
  } catch {
    throw new UsageError(`--base-url is not a URL or a comma-separated list of them: ${baseUrl}`);
  }

  const overrides: ScenarioOverrides = {
    rates: values.rates === undefined ? undefined : parseRates(values.rates),
    stepSeconds: int('step-seconds', values['step-seconds']),
    warmupSeconds: int('warmup-seconds', values['warmup-seconds']),
    strategy: values.strategy as Strategy | undefined,
    maxInFlight: int('max-in-flight', values['max-in-flight']),
    limit: int('limit', values.limit),
  };
  const fromFile = parseScenario(await readJson(values.scenario, 'scenario'), values.scenario);
  const scenario = withOverrides(fromFile, overrides, `${values.scenario} with command-line overrides`);
  const credentials = parseCredentials(await readJson(values.credentials, 'credentials'), values.credentials);
  const out = values.out ?? `loadtest/out/${scenario.name}-${scenario.strategy}.json`;
  const timeoutMs = int('timeout-ms', values['timeout-ms'])!;
  const log = values.quiet ? () => {} : (line: string) => console.error(line);

  const transport = createTransports(values.transport as TransportName, {
    baseUrl,
    maxSockets: scenario.maxInFlight,
    timeoutMs,
  });
  log(
    `${scenario.name}/${scenario.strategy}: ladder ${scenario.rates.join(',')}/s x ${scenario.stepSeconds}s against ${baseUrl}`,
  );
  const result = await drive({
    scenario,
    credentials,
    transport,
    timeoutMs,
    seed: int('seed', values.seed),
    spin: values.spin,
    log,
  });
  await transport.close();

  const summary = summarizeDrive(scenario, result, {
    baseUrl,
    transport: `${values.transport}${values.spin ? ' (spin)' : ''}`,
    seed: values.seed,
    timeoutMs,
  });
  const text = renderText(summary);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(summary, null, 2) + '\n');
  await writeFile(out.replace(/\.json$/, '') + '.txt', text);
  if (!values['quiet-stdout']) process.stdout.write(text);
  log(`wrote ${out} and ${out.replace(/\.json$/, '')}.txt`);
  return summary.thresholdsOk ? 0 : 99;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const usage =
      e instanceof UsageError ||
      (e as Error)?.name === 'ScenarioError' ||
      /^Invalid credentials|^No user/.test((e as Error)?.message);
    const parse = (e as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(usage || parse ? `${(e as Error).message}\n${USAGE}` : e);
    process.exitCode = usage || parse ? 2 : 1;
  },
);
