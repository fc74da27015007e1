import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix } from '#libs/contract';
import type { BenchSummary } from '../../loadtest/bench/bench.summary.js';
import { dropDatabase } from '../support/global-setup.js';
import { freePort } from '../support/processes.js';

// The load suite must not rot: `npm run bench` end to end on a tiny graph, with one- and two-step ladders of a
// second each. It seeds its own database, starts its own API and worker, runs every scenario under every strategy,
// the read again under hybrid with a lower celebrity threshold, the ceiling server and a fan-out backlog, and writes
// the report. The figures are meaningless at this size; what is
// checked is that every part ran, measured something, and that the invariant held after every run.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const base = new URL(inject('databaseUrl'));
const databaseUrl = Object.assign(new URL(base), { pathname: `${base.pathname}_bench` }).toString();
const redisPrefix = `${inject('redisPrefix')}-bench`;
// Another Redis database than the tests' own: the bench, redis-benchmark included, must keep to the one it is given.
const redisUrl = Object.assign(new URL(inject('redisUrl')), { pathname: '/7' }).toString();
const otherRedisUrl = Object.assign(new URL(inject('redisUrl')), { pathname: '/0' }).toString();
const credentialsFile = join(ROOT, 'loadtest/out/graph-300-1.json');
const port = await freePort();
const ceilingPort = await freePort();
let out: string;

let bench: ChildProcess | undefined;

afterAll(async () => {
  // The bench stops its API, worker and ceiling itself on SIGTERM; if this test timed out it is still running.
  if (bench && bench.exitCode === null) {
    bench.kill('SIGTERM');
    await new Promise((resolve) => bench!.once('close', resolve));
  }
  for (const url of [redisUrl, otherRedisUrl]) await deletePrefix(url, redisPrefix);
  await dropDatabase(databaseUrl);
  if (out) await rm(out, { recursive: true, force: true });
  await rm(credentialsFile, { force: true });
});

/** Keys starting with `prefix` in the database of `url` (the bench's, and redis-benchmark's `<prefix>-zadd:`). */
async function keysUnder(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url);
  try {
    let [cursor, found] = ['0', 0];
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      [cursor, found] = [next, found + keys.length];
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

async function databaseExists(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      new URL(url).pathname.slice(1),
    ]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = (bench = spawn(process.execPath, ['dist/loadtest/bench/bench.cli.js', ...args], { cwd: ROOT }));
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

// The whole bench in one test: about 100 s on a quiet machine, more on a busy one, so it has a timeout of its own.
describe('npm run bench on a tiny graph', () => {
  it('runs every scenario under every strategy, the celebrity variant, the ceiling and a fan-out backlog, and writes the report', async () => {
    out = await mkdtemp(join(tmpdir(), 'fanout-bench-'));
    const { code, output } = await runBench([
      ...['--users', '300', '--celebrity-threshold', '25', '--celebrity-variant', '15', '--posts-per-user', '5'],
      ...['--rates', 'read=40,80;write=10,20;mixed=51;celebrity-storm=105'],
      ...['--step-seconds', '1', '--warmup-seconds', '1', '--backlog-writes', '3000', '--check-users', '30'],
      ...['--database-url', databaseUrl, '--redis-url', redisUrl, '--redis-prefix', redisPrefix],
      ...['--port', String(port), '--ceiling-port', String(ceilingPort), '--out', out],
    ]);
    expect(code, output).toBe(0);

    // Cleaned up, by default: the database dropped, no key left under the prefix (redis-benchmark's included) in the
    // Redis database the bench was given nor in database 0, the credentials file gone.
    expect(output).toMatch(/cleanup: dropped database/);
    expect(await databaseExists(databaseUrl)).toBe(false);
    expect(output).toMatch(/redis-benchmark: removed its [\d,]+ scratch keys/);
    expect(await keysUnder(redisUrl, redisPrefix)).toBe(0);
    expect(await keysUnder(otherRedisUrl, redisPrefix)).toBe(0);
    expect(existsSync(credentialsFile)).toBe(false);

    for (const file of ['summary.json', 'report.md', 'report.html']) expect(existsSync(join(out, file))).toBe(true);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as BenchSummary;
    expect(summary.format).toBe('fanout-lab.bench/1');
    expect(summary.graph.rows?.users).toBe(300);
    expect(summary.graph.celebrities).toBeGreaterThan(0);

    const runs = summary.runs.map((r) => `${r.scenario}/${r.strategy}/${r.target}`);
    for (const strategy of ['hybrid', 'push', 'pull']) {
      for (const scenario of ['read', 'write', 'mixed', 'celebrity-storm'])
        expect(runs).toContain(`${scenario}/${strategy}/api`);
    }
    expect(runs).toContain('read/push/ceiling');
    // The variant repeats hybrid's read with more authors in pull mode, and the graph's threshold is back afterwards.
    const hybridReads = summary.runs.filter((r) => r.scenario === 'read' && r.strategy === 'hybrid');
    expect(hybridReads.map((r) => r.variant)).toEqual([undefined, { celebrityThreshold: 15 }]);
    expect(hybridReads[1]!.pullMode!.authors).toBeGreaterThan(hybridReads[0]!.pullMode!.authors);
    const pushWrite = summary.runs.find((r) => r.scenario === 'write' && r.strategy === 'push')!;
    expect(pushWrite.pullMode).toEqual({ celebrityThreshold: 25, authors: 0 });
    // Reads are broken down by the reader's following count, and each step has the server's own latency.
    const pullRead = summary.runs.find((r) => r.scenario === 'read' && r.strategy === 'pull' && r.target === 'api')!;
    expect(pullRead.client.byFollowing!.reduce((n, b) => n + b.count, 0)).toBe(pullRead.client.total.count);
    expect(pullRead.serverSteps.every((s) => s.series.some((x) => x.labels.route === '/v1/me/timeline'))).toBe(true);
    for (const run of summary.runs) {
      expect(run.client.total.count, `${run.scenario}/${run.strategy}`).toBeGreaterThan(0);
      expect(run.client.total.errors, `${run.scenario}/${run.strategy}`).toBe(0);
      if (run.target === 'ceiling') continue;
      expect(run.invariant!.users).toBe(30);
      expect(run.invariant!.mismatches, JSON.stringify(run.invariant)).toBe(0);
      // Under push and hybrid the check compared mailboxes with the join; a mailbox bypassed would prove nothing.
      if (run.strategy !== 'pull') {
        expect(run.invariant!.sources).toEqual({ 'push/mailbox': 30, 'hybrid/mailbox': 30 });
      }
      expect(run.server!.series.some((s) => s.name === 'http.request' && s.count > 0)).toBe(true);
      expect(run.serverSteps).toHaveLength(run.client.steps.length);
    }

    // Posts fan out under push, hybrid leaves the celebrities' to read time, and pull writes no mailbox at all.
    const storm = (strategy: string) =>
      summary.runs.find((r) => r.scenario === 'celebrity-storm' && r.strategy === strategy)!;
    const writes = (strategy: string) =>
      storm(strategy)
        .server!.counters.filter((c) => c.name === 'fanout.mailbox_writes')
        .reduce((n, c) => n + c.value, 0);
    expect(storm('push').client.tags.find((t) => t.endpoint === 'post')!.count).toBeGreaterThan(0);
    expect(writes('push')).toBeGreaterThan(0);
    expect(writes('pull')).toBe(0);
    expect(
      storm('hybrid').server!.counters.some((c) => c.name === 'fanout.posts' && c.labels.detail === 'pulled'),
    ).toBe(true);

    expect(summary.fanout!.writes).toBe(summary.fanout!.expectedWrites);
    expect(summary.fanout!.writesPerSec).toBeGreaterThan(0);
    expect(summary.memory!.bytesPerMailboxEntry).toBeGreaterThan(0);
    expect(summary.goals.map((g) => g.id)).toContain('push-read-capacity');
    expect(summary.goals.find((g) => g.id === 'hybrid-many-celebrities')!.measured).toMatch(/authors in pull mode/);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(5);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    // One-second steps and warm-ups cannot judge the goals, and the report and the log say so first.
    expect(markdown.split('## Goals')[0]).toContain('Too short to judge the goals.');
    expect(html).toContain('class="warning"');
    expect(output).toMatch(/WARNING: Warm-up of 1 s/);
    for (const text of [markdown, html, output]) expect(text).not.toMatch(/none\/s/);
    for (const heading of [
      '## Goals',
      '## Capacity',
      '## Hybrid with more celebrities',
      '## Fan-out throughput',
      '## Redis memory',
      '## Scenario: read',
    ]) {
      expect(markdown).toContain(heading);
    }
  }, 300_000);
});
