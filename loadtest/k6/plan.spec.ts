import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { poolFor, parseCredentials } from '../driver/credentials.model.js';
import { parseScenario, type Scenario } from '../driver/scenario.model.js';
import { applyEnv, buildOptions, checkScenario, cumulative, pickIndex, poolOf, subKey } from './plan.js';

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../scenarios/${name}.json`, import.meta.url), 'utf8')) as Scenario;
const creds = JSON.parse(readFileSync(new URL('../driver/fixtures/tiny-credentials.json', import.meta.url), 'utf8'));

describe('k6 plan: options from a scenario file', () => {
  it('one constant-arrival-rate scenario per step, back to back after the warm-up', () => {
    const { scenarios, summaryTrendStats, tags, discardResponseBodies } = buildOptions(load('read'));
    expect(Object.keys(scenarios)).toEqual(['warmup', ...[1, 2, 3, 4, 5, 6, 7].map((i) => `step_${i}`)]);
    expect(Object.values(scenarios).map((s) => [s.rate, s.startTime, s.duration])).toEqual([
      [500, '0s', '10s'],
      [500, '10s', '20s'],
      [1000, '30s', '20s'],
      [2000, '50s', '20s'],
      [3000, '70s', '20s'],
      [4000, '90s', '20s'],
      [5000, '110s', '20s'],
      [6000, '130s', '20s'],
    ]);
    expect(scenarios.step_4).toMatchObject({
      executor: 'constant-arrival-rate',
      timeUnit: '1s',
      preAllocatedVUs: 300,
      maxVUs: 512,
      tags: { phase: 'measure', step: '4' },
    });
    expect(scenarios.warmup.tags.phase).toBe('warmup');
    expect(summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(99)', 'p(99.9)']);
    expect(tags).toEqual({ strategy: 'hybrid' });
    expect(discardResponseBodies).toBe(true);
  });

  it("judges every sub-metric the summary reads by a step's own limits", () => {
    const mixed = load('mixed');
    const { thresholds } = buildOptions(mixed);
    expect(thresholds['http_req_duration{phase:measure,endpoint:timeline}']).toEqual(['p(99)<50']);
    expect(thresholds['http_req_duration{phase:measure,endpoint:post}']).toEqual(['p(99)<50']);
    expect(thresholds['http_req_duration{scenario:step_2,endpoint:post}']).toEqual(['p(99)<50']);
    expect(thresholds['http_req_failed{scenario:step_2}']).toEqual(['rate<0.01']);
    // Under 1 % of the step's sends: 1,020/s for 30 s schedules 30,600 of them.
    expect([mixed.rates[2], mixed.stepSeconds]).toEqual([1020, 30]);
    expect(thresholds['dropped_iterations{scenario:step_3}']).toEqual(['count<306']);
    expect(thresholds['dropped_iterations{scenario:warmup}']).toEqual([`count<${(255 * mixed.warmupSeconds) / 100}`]);
    // Only endpoints the mix uses.
    expect(Object.keys(buildOptions(load('read')).thresholds).some((k) => k.includes('endpoint:post'))).toBe(false);
    expect(subKey('http_req_failed', { scenario: 'step_1', endpoint: 'post' })).toBe(
      'http_req_failed{scenario:step_1,endpoint:post}',
    );
  });

  it('declares no threshold that always holds', () => {
    for (const name of ['read', 'write', 'mixed', 'celebrity-storm']) {
      const { thresholds } = buildOptions(load(name));
      for (const [metric, conditions] of Object.entries(thresholds)) {
        for (const condition of conditions) {
          // Each is an upper bound a measurement can exceed: p99 under the limit, a rate or a count under 1 %.
          expect(condition, metric).toMatch(/^(p\(99\)<\d+|rate<0\.01|count<\d+(\.\d+)?)$/);
          expect(Number(condition.split('<')[1]), metric).toBeGreaterThan(0);
        }
      }
    }
  });

  it('-e variables override the file and are checked again', () => {
    const s = applyEnv(load('write'), {
      RATES: '10, 20',
      STEP_SECONDS: '5',
      WARMUP_SECONDS: '0',
      STRATEGY: 'pull',
      MAX_IN_FLIGHT: '8',
    });
    expect(s).toMatchObject({ rates: [10, 20], stepSeconds: 5, warmupSeconds: 0, strategy: 'pull', maxInFlight: 8 });
    expect(Object.keys(buildOptions(s).scenarios)).toEqual(['step_1', 'step_2']);
    expect(() => applyEnv(load('write'), { RATES: '10,x' })).toThrow(/rates/);
    expect(() => applyEnv(load('write'), { STRATEGY: 'fanout' })).toThrow(/strategy/);
  });
});

describe('k6 plan agrees with the driver', () => {
  const base = load('celebrity-storm');
  const cases: [string, unknown][] = [
    ...['read', 'write', 'mixed', 'celebrity-storm'].map((n): [string, unknown] => [n, load(n)]),
    ['unknown key', { ...base, rate: 5 }],
    ['fractional rate', { ...base, rates: [1.5] }],
    ['empty rates', { ...base, rates: [] }],
    ['bad strategy', { ...base, strategy: 'fan' }],
    ['limit too big', { ...base, limit: 101 }],
    ['negative warm-up', { ...base, warmupSeconds: -1 }],
    ['bad who', { ...base, mix: [{ endpoint: 'post', weight: 1, who: 'anyone' }] }],
    ['zero weight', { ...base, mix: [{ endpoint: 'post', weight: 0, who: 'celebrities' }] }],
    ['no threshold', { ...base, thresholds: {} }],
    ['bad name', { ...base, name: 'Storm!' }],
    ['not an object', 'read'],
  ];
  it.each(cases)('%s: both accept or both reject', (_, raw) => {
    const verdict = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch {
        return 'rejected';
      }
    };
    expect(verdict(() => checkScenario(raw, 'k6'))).toBe(verdict(() => parseScenario(raw, 'driver')));
  });

  it('draws users with the same weights as the driver', () => {
    for (const who of ['readers-by-activity', 'authors-uniform', 'celebrities', 'celebrity-followers'] as const) {
      const k6 = poolOf(who, creds);
      const driver = poolFor(who, parseCredentials(creds));
      expect(k6.map((u) => u.t)).toEqual(driver.items.map((u) => u.token));
      expect(k6.at(-1)!.c).toBe(driver.total);
    }
    const c = cumulative([1, 0.5, 2.5]);
    // c = [1, 1.5, 4] of 4: [0, 0.25) -> 0, [0.25, 0.375) -> 1, [0.375, 1) -> 2
    expect([0, 0.24, 0.26, 0.374, 0.376, 0.99].map((r) => pickIndex(c.length, (i) => c[i], 4, r))).toEqual([
      0, 0, 1, 1, 2, 2,
    ]);
  });
});
