import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Started {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts a built app (`npm run build` first) as its own process, the way the README does. */
export async function startProcess(
  app: 'api' | 'worker',
  env: Record<string, string>,
  readyLine: RegExp,
): Promise<Started> {
  const child = spawn(process.execPath, [`dist/apps/${app}/src/main.js`], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not start:\n${log}`)), 30_000);
    const check = () => {
      if (readyLine.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${app} exited with ${code}:\n${log}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => log,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProcess('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, /listening on/);
  const worker = await startProcess('worker', env, /worker running/);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}
