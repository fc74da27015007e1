import { createServer } from 'node:net';
import { startProduct } from '#libs/contract';

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

/** The built API on `port` and a worker (`npm run build` first), each its own process, the way the README runs them. */
export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const worker = await startProduct('worker', env);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}
