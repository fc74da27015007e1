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
 * An author and `count` followers made through the API, with every follower's mailbox built (deliveries go only to
 * existing mailboxes). The rebuild is requested, not waited for: a test without a worker yet can queue behind it.
 */
export async function authorWithFans(api: ApiClient, count: number, adminToken: string) {
  const author = await api.createUser(uniqueHandle('author'));
  const fans: CreatedUserResponse[] = [];
  for (let i = 0; i < count; i++) {
    const fan = await api.createUser(uniqueHandle('fan'));
    await api.call('PUT', `/v1/me/following/${author.id}`, { token: fan.token });
    fans.push(fan);
  }
  await api.call('POST', '/v1/admin/mailboxes/rebuild', { token: adminToken });
  return { author, fans };
}
