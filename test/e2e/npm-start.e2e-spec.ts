import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, PROJECT_ROOT } from '#libs/contract';
import { dropDatabase } from '../support/global-setup.js';
import { ADMIN_TOKEN, testConfig } from '../support/test-config.js';

// `npm start` as a newcomer runs it (README, "Running without Docker"), on a database, Redis prefix and port of this
// file's own: the first start seeds and prints a curl that reads a timeline, a second start keeps the data, and Ctrl-C
// or a SIGTERM leaves no process behind. `--no-build`: the run has built already (a build here would rewrite dist/
// under the other test files' processes); the build step is the launcher's first line, `npm run build`.

const exec = promisify(execFile);
const config = testConfig();
const url = new URL(config.databaseUrl);
url.pathname = `${url.pathname}_start`;
const databaseUrl = url.toString();
const database = url.pathname.slice(1);
const port = await freePort();
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  DATABASE_URL: databaseUrl,
  REDIS_URL: config.redisUrl,
  REDIS_PREFIX: config.redisPrefix,
  PORT: String(port),
  HOST: '127.0.0.1',
  ADMIN_TOKEN,
  LOG_LEVEL: 'warn',
};
const started: ChildProcess[] = [];

afterAll(async () => {
  // After a failure, whatever is left of a start (npm gone, its launcher or children not) is still in npm's group.
  for (const npm of started) {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // Nothing left of it: the usual case.
    }
  }
  await dropDatabase(databaseUrl);
  for (const ext of ['json', 'log'])
    rmSync(join(PROJECT_ROOT, 'loadtest/out', `start-${database}.${ext}`), { force: true });
});

/** `npm start` in a process group of its own, as a shell runs a foreground job (Ctrl-C signals the whole group). */
function npmStart(extraEnv: Record<string, string> = {}, args = ['--users', '200']) {
  const npm = spawn('npm', ['start', '--', '--no-build', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...env, ...extraEnv },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(npm);
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return pattern.exec(output)!;
  };
  return { npm, exited, waitFor, output: () => output };
}

/** The live processes under `root` (its children, theirs, …), from /proc. */
function descendants(root: number): { pid: number; cmd: string }[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(name), Number(ppid));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (pid: number) => {
    for (const [child, parent] of parents) if (parent === pid) visit(found[found.push(child) - 1]!);
  };
  visit(root);
  return found.map((pid) => {
    try {
      return { pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() };
    } catch {
      return { pid, cmd: '' };
    }
  });
}

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

/** Runs the curl the launcher printed, as a reader pastes it. */
async function pasteCurl(line: string): Promise<{ items: unknown[]; source: string }> {
  const { stdout } = await exec('bash', ['-c', line]);
  return JSON.parse(stdout);
}

describe('npm start', () => {
  let token = '';

  it('seeds on first start, prints a curl that reads a timeline, and stops everything on Ctrl-C', async () => {
    const start = npmStart();
    const [curl] = await start.waitFor(/^curl -s "http:\/\/127\.0\.0\.1:\d+\/v1\/me\/timeline.*$/m, 150_000);
    expect(start.output()).toMatch(/seed: rows: users 200,/);
    const timeline = await pasteCurl(curl);
    expect(timeline.items.length).toBeGreaterThan(0);
    token = /Bearer (\S+)"/.exec(curl)![1]!;

    const tree = descendants(start.npm.pid!);
    const [, apiPid, workerPid] = /api pid (\d+), worker pid (\d+)/.exec(start.output())!.map(Number);
    expect(tree.map((p) => p.pid)).toEqual(expect.arrayContaining([apiPid, workerPid]));
    expect(tree.find((p) => p.pid === apiPid)?.cmd).toContain('dist/apps/api/src/main.js');
    expect(tree.find((p) => p.pid === workerPid)?.cmd).toContain('dist/apps/worker/src/main.js');

    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground job.
    process.kill(-start.npm.pid!, 'SIGINT');
    await start.exited;
    // npm exits once the launcher has, and the launcher once its children have: by now none is left.
    expect(tree.filter((p) => alive(p.pid))).toEqual([]);
    expect(start.output()).toContain('SIGINT: stopping the API and the worker');
  });

  it('keeps the data on a later start and stops everything on a SIGTERM to npm alone', async () => {
    expect(token).not.toBe('');
    const start = npmStart();
    const [curl] = await start.waitFor(/^curl -s .*$/m, 120_000);
    expect(start.output()).toContain('seed: the database already holds users: not seeding');
    expect(curl).toContain(token);
    expect((await pasteCurl(curl)).items.length).toBeGreaterThan(0);

    const tree = descendants(start.npm.pid!);
    expect(tree.filter((p) => p.cmd.includes('dist/apps/')).length).toBe(2);
    // `kill <pid>` of npm, as a process manager would: npm passes it on to the launcher, which stops its children.
    process.kill(start.npm.pid!, 'SIGTERM');
    await start.exited;
    expect(tree.filter((p) => alive(p.pid))).toEqual([]);
  });

  it('fails at once, naming the server, when PostgreSQL or Redis does not answer', async () => {
    const closed = await freePort();
    const t0 = Date.now();
    const noPostgres = npmStart({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${closed}/nowhere` });
    expect(await noPostgres.exited).toBe(1);
    expect(noPostgres.output()).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${closed}`);

    const noRedis = npmStart({ REDIS_URL: `redis://127.0.0.1:${closed}` });
    expect(await noRedis.exited).toBe(1);
    expect(noRedis.output()).toContain(`cannot connect to Redis at 127.0.0.1:${closed}`);
    expect(noRedis.output()).not.toMatch(/migrate:/);
    // Two starts of npm and Node, each stopped by its first check, not by a timeout of the API's.
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
