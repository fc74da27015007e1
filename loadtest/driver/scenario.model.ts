import { STRATEGIES, type Strategy } from '#libs/contract';

// Scenario files (loadtest/scenarios/*.json) are data that both the k6 script and this driver read; the schema is
// documented in loadtest/scenarios/README.md. This validator is strict (unknown keys are errors) because a typo such
// as "rate" for "rates" would otherwise silently run the defaults and produce a plausible but wrong report.

export const ENDPOINTS = ['timeline', 'post'] as const;
export const WHO = ['readers-by-activity', 'authors-uniform', 'celebrities', 'celebrity-followers'] as const;

export type Endpoint = (typeof ENDPOINTS)[number];
export type Who = (typeof WHO)[number];

export interface MixEntry {
  endpoint: Endpoint;
  weight: number;
  who: Who;
}

export interface Scenario {
  name: string;
  description: string;
  strategy: Strategy;
  /** The ladder: arrivals per second, one step each, run in order. */
  rates: number[];
  stepSeconds: number;
  /** Run at rates[0] before the first step; not reported (connections, JIT, caches). */
  warmupSeconds: number;
  limit: number;
  mix: MixEntry[];
  thresholds: { p99Ms: number };
  /** Requests outstanding at once; a send due while this many are in flight is dropped and counted. */
  maxInFlight: number;
}

/** What the CLI (or k6 -e variables) may override; everything else is the file's. */
export type ScenarioOverrides = Partial<
  Pick<Scenario, 'rates' | 'stepSeconds' | 'warmupSeconds' | 'strategy' | 'maxInFlight' | 'limit'>
>;

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid scenario (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

const KEYS = [
  'name',
  'description',
  'strategy',
  'rates',
  'stepSeconds',
  'warmupSeconds',
  'limit',
  'mix',
  'thresholds',
  'maxInFlight',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min;
const show = (v: unknown): string =>
  v === undefined ? 'nothing' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);

/** Validates parsed JSON; throws one ScenarioError listing every problem, each with its path. */
export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const problems: string[] = [];
  if (!isObject(raw)) throw new ScenarioError(source, [`the file must hold a JSON object, got ${show(raw)}`]);
  for (const key of Object.keys(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) problems.push(`${key}: unknown key (known: ${KEYS.join(', ')})`);
  }
  const { name, description, strategy, rates, stepSeconds, warmupSeconds, limit, mix, thresholds, maxInFlight } = raw;

  // The name ends up in output file names and k6 scenario names.
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) {
    problems.push(`name: must be lower-case letters, digits and dashes, got ${show(name)}`);
  }
  if (typeof description !== 'string') problems.push(`description: must be a string, got ${show(description)}`);
  if (!(STRATEGIES as readonly unknown[]).includes(strategy)) {
    problems.push(`strategy: must be one of ${STRATEGIES.join(', ')}, got ${show(strategy)}`);
  }
  if (!Array.isArray(rates) || rates.length === 0) {
    problems.push(`rates: must be a non-empty array of arrivals per second, got ${show(rates)}`);
  } else {
    // Whole numbers because k6's arrival-rate executors take an integer rate per timeUnit.
    rates.forEach((r, i) => {
      if (!isInt(r, 1))
        problems.push(`rates[${i}]: must be a whole number of arrivals per second >= 1, got ${show(r)}`);
    });
  }
  if (!isInt(stepSeconds, 1)) problems.push(`stepSeconds: must be a whole number >= 1, got ${show(stepSeconds)}`);
  if (!isInt(warmupSeconds, 0)) problems.push(`warmupSeconds: must be a whole number >= 0, got ${show(warmupSeconds)}`);
  if (!isInt(limit, 1) || limit > 100)
    problems.push(`limit: must be a whole number 1..100 (the API's range), got ${show(limit)}`);
  if (!isInt(maxInFlight, 1)) problems.push(`maxInFlight: must be a whole number >= 1, got ${show(maxInFlight)}`);
  if (!isObject(thresholds) || typeof thresholds.p99Ms !== 'number' || !(thresholds.p99Ms > 0)) {
    problems.push(
      `thresholds.p99Ms: must be a number of milliseconds > 0, got ${show(isObject(thresholds) ? thresholds.p99Ms : thresholds)}`,
    );
  } else {
    for (const key of Object.keys(thresholds))
      if (key !== 'p99Ms') problems.push(`thresholds.${key}: unknown key (known: p99Ms)`);
  }
  if (!Array.isArray(mix) || mix.length === 0) {
    problems.push(`mix: must be a non-empty array of {endpoint, weight, who}, got ${show(mix)}`);
  } else {
    mix.forEach((m, i) => problems.push(...mixProblems(m, `mix[${i}]`)));
  }

  if (problems.length > 0) throw new ScenarioError(source, problems);
  return raw as unknown as Scenario;
}

function mixProblems(m: unknown, path: string): string[] {
  if (!isObject(m)) return [`${path}: must be an object {endpoint, weight, who}, got ${show(m)}`];
  const out: string[] = [];
  for (const key of Object.keys(m)) {
    if (!['endpoint', 'weight', 'who'].includes(key))
      out.push(`${path}.${key}: unknown key (known: endpoint, weight, who)`);
  }
  if (!(ENDPOINTS as readonly unknown[]).includes(m.endpoint)) {
    out.push(`${path}.endpoint: must be one of ${ENDPOINTS.join(', ')}, got ${show(m.endpoint)}`);
  }
  if (typeof m.weight !== 'number' || !(m.weight > 0) || !Number.isFinite(m.weight)) {
    out.push(`${path}.weight: must be a number > 0, got ${show(m.weight)}`);
  }
  if (!(WHO as readonly unknown[]).includes(m.who))
    out.push(`${path}.who: must be one of ${WHO.join(', ')}, got ${show(m.who)}`);
  return out;
}

/** Applies CLI overrides, then validates the result again so an override cannot smuggle in a bad value. */
export function withOverrides(scenario: Scenario, overrides: ScenarioOverrides, source = 'overrides'): Scenario {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return parseScenario({ ...scenario, ...defined }, source);
}

/** Parses "500,1000,2000" from the command line; an empty or bad item is left for the validator to name. */
export function parseRates(text: string): number[] {
  return text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s.trim())));
}
