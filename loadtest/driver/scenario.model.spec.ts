import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRates, parseScenario, ScenarioError, withOverrides, type Scenario } from './scenario.model.js';

const dir = new URL('../scenarios/', import.meta.url);
const load = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Scenario;
const problemsOf = (raw: unknown): string[] => {
  try {
    parseScenario(raw, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
};

describe('scenario files', () => {
  it('the four shipped scenarios are valid', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(['celebrity-storm.json', 'mixed.json', 'read.json', 'write.json']);
    for (const f of files) expect(parseScenario(load(f), f).name).toBe(f.replace('.json', ''));
  });

  it('mixed is 50 reads per post', () => {
    const weights = Object.fromEntries(load('mixed.json').mix.map((m) => [m.endpoint, m.weight]));
    expect(weights.timeline / weights.post).toBe(50);
  });
});

describe('scenario validation', () => {
  const good = load('read.json');

  it('names every problem with its path, all at once', () => {
    const problems = problemsOf({ ...good, rates: [100, -5, 2.5], strategy: 'fanout', limit: 500, rate: 10 });
    expect(problems).toEqual([
      expect.stringMatching(/^rate: unknown key/),
      expect.stringMatching(/^strategy: must be one of push, pull, hybrid, got "fanout"/),
      expect.stringMatching(/^rates\[1\]: must be a whole number .* got -5/),
      expect.stringMatching(/^rates\[2\]: .* got 2.5/),
      expect.stringMatching(/^limit: must be a whole number 1..100/),
    ]);
    expect(() => parseScenario({ ...good, rates: [] }, 'x.json')).toThrow(
      /Invalid scenario \(x.json\):\n  - rates: must be a non-empty array/,
    );
  });

  it('checks the mix entries', () => {
    const problems = problemsOf({
      ...good,
      mix: [{ endpoint: 'timeline', weight: 0, who: 'everyone', extra: 1 }, 'x'],
    });
    expect(problems).toEqual([
      'mix[0].extra: unknown key (known: endpoint, weight, who)',
      'mix[0].weight: must be a number > 0, got 0',
      expect.stringMatching(/^mix\[0\].who: must be one of readers-by-activity, .* got "everyone"/),
      'mix[1]: must be an object {endpoint, weight, who}, got "x"',
    ]);
    expect(problemsOf({ ...good, mix: [] })).toEqual([expect.stringMatching(/^mix: must be a non-empty array/)]);
  });

  it('checks thresholds, counts and the top level', () => {
    expect(problemsOf({ ...good, thresholds: { p99Ms: 0, p95Ms: 3 } })).toEqual([
      expect.stringMatching(/^thresholds.p99Ms/),
    ]);
    expect(problemsOf({ ...good, thresholds: { p99Ms: 5, p95Ms: 3 } })).toEqual([
      'thresholds.p95Ms: unknown key (known: p99Ms)',
    ]);
    expect(problemsOf({ ...good, maxInFlight: 0, stepSeconds: '10', warmupSeconds: -1, name: 'Read Me' })).toHaveLength(
      4,
    );
    expect(problemsOf([1, 2])).toEqual(['the file must hold a JSON object, got [1,2]']);
  });

  it('re-validates overrides, and ignores the ones not given', () => {
    const s = withOverrides(good, { rates: [10, 20], strategy: 'push', stepSeconds: undefined });
    expect(s).toMatchObject({ rates: [10, 20], strategy: 'push', stepSeconds: good.stepSeconds });
    expect(() => withOverrides(good, { rates: parseRates('500,,x') }, 'cli')).toThrow(/rates\[1\].*\n.*rates\[2\]/);
    expect(parseRates('500, 1000')).toEqual([500, 1000]);
  });
});
