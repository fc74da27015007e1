import { type ApiClient, type CreatedUserResponse, startProduct } from '#libs/contract';
import { uniqueHandle } from './test-config.js';

export { freePort } from '#libs/contract';

/** The built API on `port` and a worker (`npm run build` first), each its own process, the way the README runs them. */
export async function startStack(env: Record<string, string>, port: number) {
  const api = await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' });
  const worker = await startProduct('worker', env);
  return { api, worker, stop: async () => Promise.all([api.stop(), worker.stop()]) };
}

/**
 * An author and `count` followers made through the API, with every follower's mailbox asked for (deliveries go only
 * to existing mailboxes): a read of each follower's timeline queues its rebuild. Not the admin rebuild of everyone:
 * the run's database holds every e2e file's users (ten thousand from the worker-kill test alone). The rebuilds are
 * queued, not waited for: a test without a worker yet can queue behind them.
 */
export async function authorWithFans(api: ApiClient, count: number) {
  const author = await api.createUser(uniqueHandle('author'));
  const fans: CreatedUserResponse[] = [];
  for (let i = 0; i < count; i++) {
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    fans.push(fan);
  }
  for (const fan of fans) await api.call('GET', '/v1/me/timeline', { token: fan.token });
  return { author, fans };
}
