import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { AppConfig } from '#libs/config';
import { redisOptionsFromUrl } from './redis.options.js';

/** A process's connection to its Redis: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/** Reconnect quickly while Redis is away: the next attempt is at most half a second off. */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 500);
}

/**
 * A command never waits long: with Redis unreachable it fails once the next reconnect attempt fails (within about half
 * a second), and with Redis not answering (frozen, overloaded) after REDIS_COMMAND_TIMEOUT_MS. Reads then fall back to
 * PostgreSQL and writes leave their events to the outbox relay, instead of hanging.
 */
export function commandConnectionOptions(config: AppConfig) {
  return {
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    connectTimeout: Math.max(config.timeouts.redisCommandMs, 1000),
    commandTimeout: config.timeouts.redisCommandMs,
  };
}

/**
 * On a cluster, a command sent while its master is failing over is retried after the failover (ioredis follows MOVED
 * and retries on CLUSTERDOWN), for about as long as a failover takes; each node connection keeps the single-server
 * options (credentials and TLS from REDIS_URL, the timeouts above).
 */
function clusterOptions(config: AppConfig, node: RedisOptions): ClusterOptions {
  // Credentials and TLS from REDIS_URL; the address comes from the node list, and a cluster has only database 0.
  const { username, password, tls } = redisOptionsFromUrl(config.redisUrl);
  const shared = { username, password, tls };
  return {
    redisOptions: { ...shared, ...node },
    clusterRetryStrategy: reconnectDelay,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    slotsRefreshTimeout: 2000,
    // ioredis 6 refreshes its slot map only when a command is redirected, and not for every pipeline
    // (RedisService.perSlot): a periodic refresh bounds how long any caller can be sent to a node that moved on.
    slotsRefreshInterval: 5000,
  };
}

/** The command connection: mailboxes, caches, scripts, flags, metrics, rate limits. */
export function connectCommands(config: AppConfig): RedisClient {
  const options = { ...commandConnectionOptions(config), enableAutoPipelining: true };
  if (config.redisClusterNodes === null) return new Redis(config.redisUrl, options);
  // A node's own retryStrategy would keep a dead master's connection trying; the cluster client drops it and follows
  // the slots to the promoted replica instead.
  const { maxRetriesPerRequest, connectTimeout, commandTimeout } = options;
  return new Cluster(config.redisClusterNodes, {
    ...clusterOptions(config, { maxRetriesPerRequest, connectTimeout, commandTimeout }),
    enableAutoPipelining: true,
  });
}

/** A connection for SUBSCRIBE (a subscribed connection runs nothing else); cluster pub/sub reaches every node. */
export function connectSubscriber(config: AppConfig): RedisClient {
  const options = { maxRetriesPerRequest: null, retryStrategy: reconnectDelay };
  if (config.redisClusterNodes === null) return new Redis(config.redisUrl, options);
  return new Cluster(config.redisClusterNodes, clusterOptions(config, { maxRetriesPerRequest: null }));
}

/**
 * BullMQ's connection: options for one server, or a Cluster client (BullMQ duplicates it for its blocking
 * connections). Its keys share one hash tag (RedisKeys.bullPrefix), as BullMQ requires on a cluster.
 */
export function queueConnection(config: AppConfig): ReturnType<typeof redisOptionsFromUrl> | Cluster {
  const single = redisOptionsFromUrl(config.redisUrl);
  if (config.redisClusterNodes === null) return single;
  return new Cluster(
    config.redisClusterNodes,
    clusterOptions(config, { maxRetriesPerRequest: null, retryStrategy: single.retryStrategy }),
  );
}

/** The masters whose settings must be checked, or the one server. */
export function serversOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
