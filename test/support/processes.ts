import { createServer } from 'node:net';
import { startService, type Service } from '../../loadtest/bench/service.process.js';

export type Started = Service;

/**
 * A loopback port nothing listens on now, from the OS. A port picked by arithmetic can land on one of the machine's
 * own services (NATS on 4222, Redis on 6379 …).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a built app (`npm run build` first) as its own process, the way the README does. */
export function startProcess(app: 'api' | 'worker', env: Record<string, string>, readyLine: RegExp): Promise<Started> {
  return startService({ name: app, script: `dist/apps/${app}/src/main.js`, env, ready: readyLine });
}

export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProcess('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, /listening on/);
  const worker = await startProcess('worker', env, /worker running/);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}
