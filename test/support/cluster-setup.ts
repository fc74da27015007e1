import type { TestProject } from 'vitest/node';
import { PrivateRedisCluster } from '#libs/contract';

declare module 'vitest' {
  export interface ProvidedContext {
    /** REDIS_CLUSTER_NODES of the run's local Redis Cluster, in the projects that run on one. */
    clusterNodes: string;
  }
}

/**
 * The `e2e-cluster` project's Redis: a Redis Cluster of the run's own (3 masters with a replica each, from the
 * machine's redis-server on loopback ports), removed at the end. test-config.ts points every test at it.
 */
export default async function setup(project: TestProject) {
  const cluster = await PrivateRedisCluster.start({ masters: 3, replicas: 1 });
  project.provide('clusterNodes', cluster.seeds);
  return async () => {
    // A guard on the setup itself: had the processes used the one Redis of REDIS_URL, the cluster would be empty.
    const keys = await cluster.keyCount();
    await cluster.stop();
    if (keys === 0) throw new Error('the e2e-cluster project ran, but no key reached the Redis Cluster');
  };
}
