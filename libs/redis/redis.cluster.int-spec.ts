import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedisCluster, slotOf } from '#libs/contract';
import { testConfig } from '../../test/support/test-config.js';
import { serversOf } from './redis.connections.js';
import { RedisService } from './redis.service.js';

// The product's Redis connection on a real Redis Cluster (3 masters, 3 replicas, this test's own): work over keys of
// many slots goes out one pipeline per master, and the replies come back in the order the work was queued.
let cluster: PrivateRedisCluster;
let redis: RedisService;

beforeAll(async () => {
  cluster = await PrivateRedisCluster.start();
  redis = new RedisService(testConfig({ REDIS_CLUSTER_NODES: cluster.seeds }));
  await redis.client.ping();
}, 60_000);
afterAll(async () => {
  redis?.client.disconnect();
  await cluster?.stop();
});

describe('RedisService on a Redis Cluster', () => {
  it('runs per-slot work across every master, replies in the order queued', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => String(i + 1));
    const key = (id: string) => `${redis.keys.post(id)}:cluster-test`;
    // Keys of many hash tags, so of every master.
    expect(new Set(ids.map((id) => slotOf(key(id)))).size).toBeGreaterThan(3);
    await redis.perSlot(ids, key, (pipeline, group) => {
      for (const id of group) pipeline.set(key(id), `v${id}`);
    });
    const replies = await redis.perSlot(ids, key, (pipeline, group) => {
      pipeline.mget(group.map(key));
    });
    const read = replies.flat() as string[];
    expect(read.sort()).toEqual(ids.map((id) => `v${id}`).sort());
    // Every master got some of them.
    const counts = await Promise.all(serversOf(redis.client).map((server) => server.dbsize()));
    expect(counts).toHaveLength(3);
    expect(counts.every((count) => count > 0)).toBe(true);
  });

  it('answers a per-slot read with each group’s reply where that group was queued', async () => {
    const ids = ['11', '12', '13', '14', '15', '16', '17', '18', '1001', '1002'];
    const key = (id: string) => `${redis.keys.post(id)}:order`;
    await redis.perSlot(ids, key, (pipeline, group) => {
      for (const id of group) pipeline.set(key(id), id);
    });
    const groups: string[][] = [];
    const replies = await redis.perSlot(ids, key, (pipeline, group) => {
      groups.push(group);
      for (const id of group) pipeline.get(key(id));
    });
    expect(replies).toEqual(groups.flat());
  });

  it('finds a failed-over master again: per-slot work over its slots is not sent to the old one for good', async () => {
    const key = (id: string) => `${redis.keys.post(id)}:failover`;
    const ids = Array.from({ length: 300 }, (_, i) => String(i + 5001));
    const write = () =>
      redis.perSlot(ids, key, (pipeline, group) => {
        for (const id of group) pipeline.set(key(id), id);
      });
    await write();
    // The client has mapped every slot; a failover moves some of them to a node it does not take for their master.
    const victim = await cluster.masterOf(key(ids[0]!));
    const keyPerSlot = [...new Map(ids.map((id) => [slotOf(key(id)), key(id)])).values()];
    const masters = await Promise.all(keyPerSlot.map((k) => cluster.masterOf(k)));
    // Its pipeline holds two slots or more, so the MOVED replies differ (the case ioredis does not follow by itself).
    expect(masters.filter((master) => master === victim).length).toBeGreaterThan(1);
    await cluster.failOver(victim);
    // The first tries may meet MOVED (one per slot, each naming its own) until the refreshed map has the new master
    // (a node may still answer with the old one for a moment); retries, as a job makes, must get through well within
    // the client's periodic refresh (5 s), which would otherwise be the only way out.
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const error = await write().then(
        () => null,
        (e: Error) => e,
      );
      outcomes.push(error ? error.message.split(' ')[0]! : 'ok');
      if (!error) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(outcomes.at(-1), outcomes.join(', ')).toBe('ok');
  });
});
