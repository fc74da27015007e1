import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, migrateDatabase, PROJECT_ROOT } from '#libs/contract';
import { dropDatabase } from '../support/global-setup.js';
import { freePort, startStack } from '../support/processes.js';
import { ADMIN_TOKEN, testConfig } from '../support/test-config.js';

// The README's walkthrough ("The API"), run as a reader runs it: every curl in order, in a shell, against an API and a
// worker started as the README starts them, on a fresh database (so Alice is user 1 and Bob user 2, as written). The
// reader's substitutions are made as the README asks: its host and port, "your ADMIN_TOKEN", and "use the tokens (ids)
// you got", i.e. an id, token or cursor shown in an answer stands for what the API answered there. Each answer shown
// must have the shape of the real one (keys, value types, status); `…` in a shown answer means "and more".

type Shown =
  | { kind: 'object'; entries: [string, Shown][]; open: boolean }
  | { kind: 'array'; items: Shown[]; open: boolean }
  | { kind: 'value'; type: string; value: unknown };

/** Parses the JSON an answer shows, where `…` or `...` (with words, "... same items ...") stands for the rest. */
function parseShown(text: string): Shown {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const rest = () => {
    ws();
    if (!text.startsWith('…', i) && !text.startsWith('...', i)) return false;
    while (i < text.length && !',]}'.includes(text[i]!)) i++;
    return true;
  };
  const value = (): Shown => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const object = c === '{';
      const entries: [string, Shown][] = [];
      const items: Shown[] = [];
      let open = false;
      i++;
      for (;;) {
        ws();
        if (text[i] === (object ? '}' : ']')) break;
        if (rest()) open = true;
        else if (object) {
          const key = value();
          ws();
          if (key.kind !== 'value' || key.type !== 'string' || text[i++] !== ':') throw new Error(`bad key in ${text}`);
          entries.push([key.value as string, value()]);
        } else items.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== (object ? '}' : ']')) throw new Error(`expected , at ${i} in ${text}`);
      }
      i++;
      return object ? { kind: 'object', entries, open } : { kind: 'array', items, open };
    }
    const literal = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!literal) throw new Error(`cannot read a value at ${i} in ${text}`);
    i += literal[0].length;
    const parsed: unknown = JSON.parse(literal[0]);
    return { kind: 'value', type: parsed === null ? 'null' : typeof parsed, value: parsed };
  };
  return value();
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** Where `actual` differs in shape from what the README shows; empty when it matches. */
function shapeProblems(shown: Shown, actual: unknown, path = '$'): string[] {
  if (shown.kind === 'value') {
    return typeOf(actual) === shown.type ? [] : [`${path}: ${typeOf(actual)} where the README shows a ${shown.type}`];
  }
  if (shown.kind === 'array') {
    if (!Array.isArray(actual)) return [`${path}: ${typeOf(actual)} where the README shows an array`];
    if (!shown.open && actual.length !== shown.items.length) {
      return [`${path}: ${actual.length} items where the README shows ${shown.items.length}`];
    }
    // A list shown in part ("…"): each item shown must be like one of the real ones.
    return shown.items.flatMap((item, n) =>
      shown.open
        ? actual.some((a) => shapeProblems(item, a).length === 0)
          ? []
          : [`${path}[${n}]: no item has this shape: ${shapeProblems(item, actual[n], `${path}[${n}]`).join('; ')}`]
        : shapeProblems(item, actual[n], `${path}[${n}]`),
    );
  }
  if (typeOf(actual) !== 'object') return [`${path}: ${typeOf(actual)} where the README shows an object`];
  const real = actual as Record<string, unknown>;
  const keys = new Set(shown.entries.map(([key]) => key));
  return [
    ...shown.entries.flatMap(([key, item]) =>
      key in real ? shapeProblems(item, real[key], `${path}.${key}`) : [`${path}: no key "${key}"`],
    ),
    ...(shown.open ? [] : Object.keys(real).filter((key) => !keys.has(key))).map(
      (key) => `${path}: extra key "${key}"`,
    ),
  ];
}

/** The README's example values of ids, tokens and cursors, paired with what the API answered in their place. */
function captures(shown: Shown, actual: unknown, found: Map<string, string>): void {
  if (shown.kind === 'array' && !shown.open && Array.isArray(actual)) {
    shown.items.forEach((item, n) => captures(item, actual[n], found));
  }
  if (shown.kind !== 'object' || typeOf(actual) !== 'object') return;
  for (const [key, item] of shown.entries) {
    const real = (actual as Record<string, unknown>)[key];
    const example = item.kind === 'value' ? item.value : undefined;
    if (['id', 'token', 'nextCursor'].includes(key) && typeof example === 'string' && typeof real === 'string') {
      // Short examples ("1", Alice's id) are the same on a fresh database, and replacing them would hit anything.
      if (example !== real && example.length >= 6) found.set(example, real);
    } else captures(item, real, found);
  }
}

interface Step {
  line: number;
  command: string;
  answer?: string; // shown below the command or in its trailing comment
}

/** The walkthrough's shell lines in order: assignments and curl commands, each with the answer shown for it. */
function walkthrough(readme: string): Step[] {
  const start = readme.indexOf('\n## The API\n');
  const end = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(0, end).split('\n');
  const steps: Step[] = [];
  let inBlock = false;
  // The step an answer shown below it belongs to, while only its answer's lines have followed it.
  let last: Step | undefined;
  let inAnswer = false;
  for (let n = readme.slice(0, start).split('\n').length; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.startsWith('```')) inBlock = line === '```sh';
    if (!inBlock || line.startsWith('```') || line.trim() === '') continue;
    const comment = /^# ?(.*)$/.exec(line);
    if (comment) {
      const text = comment[1]!;
      if (inAnswer && text.startsWith(' ')) last!.answer += text;
      else if (last && last.answer === undefined && /^[[{]|^HTTP\//.test(text)) last.answer = text;
      else last = undefined;
      inAnswer = last !== undefined;
      continue;
    }
    let command = line;
    while (command.endsWith('\\')) command = `${command.slice(0, -1)} ${lines[++n]!.trim()}`;
    const trailing = /\s#\s+(.*)$/.exec(command);
    const answer = trailing && /^[[{]|HTTP\/\S+ \d{3}/.test(trailing[1]!) ? trailing[1] : undefined;
    last = { line: n + 1, command: trailing ? command.slice(0, trailing.index) : command, answer };
    inAnswer = false;
    steps.push(last);
  }
  return steps;
}

const exec = promisify(execFile);
const config = testConfig();
// A database of this file's own, fresh, so the ids the README shows (Alice 1, Bob 2) are the ones the API gives.
const url = new URL(config.databaseUrl);
url.pathname = `${url.pathname}_readme`;
const databaseUrl = url.toString();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
/** How often each process publishes its metrics: the metrics curl waits for a snapshot taken after the fan-out. */
const PUBLISH_MS = 200;
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  await migrateDatabase(databaseUrl);
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: config.redisUrl, REDIS_PREFIX: config.redisPrefix };
  stack = await startStack({ ...env, ADMIN_TOKEN, LOG_LEVEL: 'warn', METRICS_PUBLISH_MS: String(PUBLISH_MS) }, port);
});
afterAll(async () => {
  await stack?.stop();
  await dropDatabase(databaseUrl);
});

/** Runs one curl line in bash after the assignments so far; its output and HTTP status (from curl's -w). */
async function run(assignments: string[], command: string): Promise<{ status: number; output: string }> {
  const wrapper = `curl() { command curl --max-time 20 -w '\\n@status %{http_code}' "$@"; }`;
  const { stdout } = await exec('bash', ['-c', [wrapper, ...assignments, command].join('\n')]);
  const at = stdout.lastIndexOf('\n@status ');
  return { status: Number(stdout.slice(at + '\n@status '.length)), output: stdout.slice(0, at) };
}

describe("the README's walkthrough", () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const checked: { shown: Shown; actual: unknown }[] = [];

  it('answers every curl as the README shows, in order', async () => {
    const steps = walkthrough(readme);
    // The reader's own substitutions ("your ADMIN_TOKEN", the port), then what the walkthrough captures.
    const found = new Map([['local-admin-token', ADMIN_TOKEN]]);
    const substitute = (text: string) =>
      [...found].reduce((t, [example, real]) => t.replaceAll(example, real), text.replace(/^BASE=.*/, `BASE=${base}`));
    const admin = new ApiClient(base, ADMIN_TOKEN);
    const assignments: string[] = [];
    const problems: string[] = [];
    let curls = 0;
    for (const step of steps) {
      const command = substitute(step.command);
      if (!command.startsWith('curl ')) {
        assignments.push(command);
        continue;
      }
      // A reader types slower than the worker delivers: each command starts once the fan-out is idle.
      await admin.waitIdle({ pollMs: 100 });
      // The metrics answer adds the snapshots each process publishes: the worker's must include the work just done
      // (with the default second between snapshots, the worker's counters were sometimes not there yet).
      if (command.includes('/v1/admin/metrics')) await sleep(3 * PUBLISH_MS);
      curls += 1;
      const { status, output } = await run(assignments, command);
      const where = `README.md:${step.line} ${step.command.trim()}`;
      const httpLine = step.answer && /HTTP\/\S+ (\d{3})/.exec(step.answer);
      const body = output.startsWith('HTTP/') ? output.slice(output.indexOf('\r\n\r\n') + 4) : output;
      const shown = step.answer?.match(/^[[{]/) ? parseShown(step.answer) : undefined;
      const statusCode = shown?.kind === 'object' ? shown.entries.find(([k]) => k === 'statusCode')?.[1] : undefined;
      const expected = httpLine ? Number(httpLine[1]) : statusCode?.kind === 'value' ? statusCode.value : undefined;
      if (expected !== undefined ? status !== expected : status < 200 || status > 299) {
        problems.push(`${where}: HTTP ${status}, the README shows ${expected ?? 'a success'}: ${output}`);
      }
      if (!shown) continue;
      let actual: unknown;
      try {
        actual = JSON.parse(body);
      } catch {
        problems.push(`${where}: not JSON: ${body.slice(0, 200)}`);
        continue;
      }
      problems.push(...shapeProblems(shown, actual).map((p) => `${where}: ${p}\n  answer: ${body.slice(0, 300)}`));
      captures(shown, actual, found);
      checked.push({ shown, actual });
    }
    expect(problems).toEqual([]);
    // The extraction itself can break (a reworded section): the walkthrough has this many curls and shown answers.
    expect(curls).toBeGreaterThanOrEqual(25);
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });

  it('would notice an answer whose keys or types no longer match', () => {
    expect(checked.length).toBeGreaterThan(0);
    for (const { shown, actual } of checked.filter(({ shown }) => shown.kind === 'object')) {
      if (shown.kind !== 'object' || shown.entries.length === 0) continue;
      const [[key, item], ...others] = shown.entries;
      const renamed: Shown = { ...shown, entries: [[`${key}_renamed`, item], ...others] };
      expect(shapeProblems(renamed, actual), JSON.stringify(actual)).toContain(`$: no key "${key}_renamed"`);
      const type = typeOf((actual as Record<string, unknown>)[key]) === 'boolean' ? 'string' : 'boolean';
      const retyped: Shown = { ...shown, entries: [[key, { kind: 'value', type, value: null }], ...others] };
      expect(shapeProblems(retyped, actual).length, JSON.stringify(actual)).toBeGreaterThan(0);
    }
  });
});
