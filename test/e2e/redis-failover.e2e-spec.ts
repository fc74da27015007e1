import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, PrivateRedisCluster, RedisKeys, startProduct, type Service } from '#libs/contract';
import { waitIdleOrExplain } from '../support/pending.diagnosis.js';
import { freePort } from '../support/processes.js';
import { pageIds, readFromMailbox } from '../support/timeline.reader.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// The product on a Redis Cluster of this test's own (3 masters, a replica each). A master is killed while posts fan
// out to its followers' mailboxes; its replica takes over (cluster-node-timeout 1 s). Deliveries to its slots fail
// until then and are retried; a write the master acknowledged reached its replica first (RedisService.replicated), so
// once the queue drains every follower has every post exactly once, as pull says.

const FOLLOWERS = 120;
let cluster: PrivateRedisCluster;
let api: ApiClient;
let config: ReturnType<typeof testConfig>;
const services: Service[] = [];

beforeAll(async () => {
  cluster = await PrivateRedisCluster.start({ masters: 3, replicas: 1 });
  config = testConfig({ REDIS_CLUSTER_NODES: cluster.seeds });
  const env = envOf(config, {
    TIMELINE_STRATEGY: 'push',
    FANOUT_BATCH_SIZE: '10',
    FANOUT_RETRY_DELAY_MS: '200',
    CELEBRITY_THRESHOLD: '1000000',
  });
  const port = await freePort();
  services.push(await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }));
  services.push(await startProduct('worker', env), await startProduct('worker', env));
  api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
});
afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await cluster?.stop();
});

describe('a Redis Cluster master killed mid-fan-out', () => {
  it('fails over to its replica, and every follower ends with every post exactly once', async () => {
    const author = await api.createUser(uniqueHandle('star'));
    const followers = [];
    for (let i = 0; i < FOLLOWERS; i++) {
      const follower = await api.createUser(uniqueHandle('f'));
      await api.call('PUT', `/v1/me/following/${author.id}`, { token: follower.token });
      followers.push(follower);
    }
    await api.rebuildMailboxes();
    await api.waitIdle({ timeoutMs: 60_000 });

    // The master of the first follower's mailbox: it serves about a third of all the mailboxes.
    const victim = await cluster.masterOf(
      new RedisKeys(config.redisPrefix, config.redisShards).mailbox(followers[0]!.id),
    );
    const mastersBefore = (await cluster.masters()).map((node) => node.port);
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) posted.push((await api.post(author.token, `before ${i}`)).id);
    await victim.stop();
    // Posting goes on through the failover: PostgreSQL takes the posts, the queue or the relay fans them out.
    for (let i = 0; i < 6; i++) {
      const answer = await api.call('POST', '/v1/posts', { token: author.token, body: { body: `during ${i}` } });
      expect([201, 503]).toContain(answer.status);
      if (answer.status === 201) posted.push(answer.body.id);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await cluster.waitUntilServing(30_000);
    const mastersAfter = (await cluster.masters()).map((node) => node.port);
    expect(mastersAfter).toHaveLength(3);
    expect(mastersAfter).not.toContain(victim.port);
    expect(mastersAfter.filter((port) => !mastersBefore.includes(port))).toHaveLength(1);

    const { status } = await waitIdleOrExplain(api, config, 120_000);
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const expected = [...posted].sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
    for (const follower of followers) {
      const fromMailbox = pageIds(await readFromMailbox(api, follower.token));
      expect(fromMailbox, `follower ${follower.id}`).toEqual(expected);
      const pull = await api.call('GET', '/v1/me/timeline?strategy=pull&limit=50', { token: follower.token });
      expect(pageIds(pull.body)).toEqual(expected);
    }
  });
});
