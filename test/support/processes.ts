import { startProduct } from '#libs/contract';

export { freePort } from '#libs/contract';

/** The built API on `port` and a worker (`npm run build` first), each its own process, the way the README runs them. */
export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const worker = await startProduct('worker', env);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}
