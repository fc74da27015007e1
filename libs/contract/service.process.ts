import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Starting this project's built scripts as processes of their own, as a user would: the product's API, worker and
// migration runner (product.processes.ts), and the load suite's own servers. Whatever is started is tracked, so an
// interrupted bench stops everything it started.

/** The project root, from dist/libs/contract/ (compiled) or libs/contract/ (the sources, under vitest). */
export const PROJECT_ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url),
);

const KEEP_OUTPUT = 64 * 1024;

export interface ServiceSpec {
  name: string;
  /** A built script, relative to the project root (`dist/apps/api/src/main.js`). */
  script: string;
  args?: string[];
  /** Options for Node itself, before the script (`--cpu-prof`). */
  nodeArgs?: string[];
  env: Record<string, string>;
  /** Printed on stdout once the service is up. */
  ready: RegExp;
  /** Appends the service's output here as well. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface Service {
  child: ChildProcess;
  /** The output so far (the last 64 KB). */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Every service started and not yet exited, so an interrupted bench can stop them (see stopAllServices). */
const running = new Set<ChildProcess>();

/** Counts a child process among those an interrupted bench stops, until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Stops whatever services are still running (the bench's SIGINT/SIGTERM handler). */
export async function stopAllServices(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** A built script run by the Node running this, from the project root, with only PATH of this environment. */
function spawnScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): ChildProcess {
  return track(
    spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Runs a built script of this project to its end; its output, or an error with the output when it fails. */
export async function runScript(script: string, env: Record<string, string>, args: string[] = []): Promise<string> {
  const child = spawnScript(script, args, env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${output}`);
  return output.trim();
}

/** Starts a built script of this project as its own Node process and waits for its ready line. */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const child = spawnScript(spec.script, spec.args ?? [], spec.env, spec.nodeArgs);
  const file: WriteStream | undefined = spec.logFile ? createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
  // The last chunks, joined only when asked for: a product logging every request sends thousands of chunks a second,
  // and each one copied the whole 64 KB tail (and the ready line was tested on it long after the service was ready).
  const chunks: Buffer[] = [];
  let kept = 0;
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    kept += chunk.length;
    while (kept - chunks[0]!.length >= KEEP_OUTPUT) kept -= chunks.shift()!.length;
    file?.write(chunk);
  };
  const output = () => Buffer.concat(chunks).toString().slice(-KEEP_OUTPUT);
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => file?.end());
  await new Promise<void>((resolve, reject) => {
    const timeout = spec.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(
      () => reject(new Error(`${spec.name} did not start within ${timeout} ms:\n${output()}`)),
      timeout,
    );
    const check = () => {
      if (!spec.ready.test(output())) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', check);
      resolve();
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited with ${code} before it was ready:\n${output()}`));
    };
    child.stdout!.on('data', check);
    child.once('exit', onExit);
  });
  return {
    child,
    output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
