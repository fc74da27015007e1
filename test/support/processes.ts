import { startService, type Service } from '../../loadtest/bench/service.process.js';

export type Started = Service;

/** Starts a built app (`npm run build` first) as its own process, the way the README does. */
export function startProcess(app: 'api' | 'worker', env: Record<string, string>, readyLine: RegExp): Promise<Started> {
  return startService({ name: app, script: `dist/apps/${app}/src/main.js`, env, ready: readyLine });
}

export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProcess('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }, /listening on/);
  const worker = await startProcess('worker', env, /worker running/);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}
