import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Cluster, type ChainableCommander } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { groupByHashTag, RedisKeys, slotOf } from '#libs/contract';
import { UnavailableError } from '#libs/errors';
import { connectCommands, connectSubscriber, type RedisClient } from './redis.connections.js';
import { ReplicaWaits } from './replica.waits.js';

/** How long a write waits for its replica before the job is retried (it holds the node's connection meanwhile). */
const WAIT_REPLICA_MS = 200;

/**
 * Commands wait for the first connection (a process starting while Redis comes up), but once connected, a command
 * sent while the connection is down fails at once instead of queueing until it comes back: every caller has a way
 * around Redis (a read from PostgreSQL, the outbox relay, a job retried), none of them wants to wait.
 */
export function failFastOnceReady(client: {
  status: string;
  options: { enableOfflineQueue?: boolean };
  once(event: 'ready', listener: () => void): unknown;
}): void {
  const failFast = () => (client.options.enableOfflineQueue = false);
  if (client.status === 'ready') failFast();
  else client.once('ready', failFast);
}

/** The command connection of a process (mailboxes, post cache, scripts). BullMQ opens its own. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: RedisClient;
  readonly keys: RedisKeys;
  private readonly logger = new Logger('Redis');
  private readonly replicaWaits = new ReplicaWaits();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.client = connectCommands(config);
    // While Redis is away ioredis reconnects by itself; its 'error' events are the outage, not a reason to crash.
    this.client.on('error', (error: Error) => this.logger.debug(`connection: ${error.message}`));
    failFastOnceReady(this.client);
    this.keys = new RedisKeys(config.redisPrefix, config.redisShards);
  }

  /**
   * Work on many users' (or posts') keys: the items grouped by the hash tag of their key (so by slot), one command or
   * script per group (`add` queues it), all groups sent together: one pipeline on one Redis, one per master on a
   * cluster (a pipeline goes to one node; ioredis refuses one whose keys live on two). No command ever spans two slots.
   * Returns every queued command's reply, in the order queued; throws the first error.
   */
  async perSlot<T>(
    items: readonly T[],
    keyOf: (item: T) => string,
    add: (pipeline: ChainableCommander, group: T[]) => void,
  ): Promise<unknown[]> {
    if (items.length === 0) return [];
    if (!(this.client instanceof Cluster)) return this.onePipeline(items, keyOf, add);
    const pipelines = new Map<string, ChainableCommander>();
    // Where each group's replies are: its pipeline, and the positions its commands took there.
    const placed: { pipeline: ChainableCommander; from: number; to: number }[] = [];
    for (const group of groupByHashTag(items, keyOf)) {
      const node = this.nodeOf(keyOf(group[0]!));
      let pipeline = pipelines.get(node);
      if (!pipeline) pipelines.set(node, (pipeline = this.client.pipeline()));
      const from = pipeline.length;
      add(pipeline, group);
      placed.push({ pipeline, from, to: pipeline.length });
    }
    const replies = new Map<ChainableCommander, [Error | null, unknown][]>();
    await Promise.all(
      [...pipelines.values()].map(async (pipeline) => replies.set(pipeline, (await pipeline.exec()) ?? [])),
    );
    this.remapIfMoved([...replies.values()]);
    return placed.flatMap(({ pipeline, from, to }) =>
      replies
        .get(pipeline)!
        .slice(from, to)
        .map(([error, value]) => {
          if (error) throw error;
          return value;
        }),
    );
  }

  /**
   * Reads of one value per item: the items grouped by the hash tag of their key (so by slot), one command per group
   * (`read` sends it: an MGET, an HMGET, whose reply lists a value for each item of the group, in order), all at once.
   * Sent on the client, not in a pipeline of their own: auto-pipelining writes the commands of every request of the
   * same tick together, where a pipeline per request made a socket write of its own (in a CPU profile of the API at
   * 3,000 push reads/s, the pipelines' socket writes were an eighth of its busy time), and a cluster client routes and
   * redirects each command itself. Bench A/B, two rounds: the push read's CPU at 5,000/s 0.171-0.173 ms against
   * 0.182-0.199 (the ceiling's 0.124-0.130), and push held 5,000/s at p99 <= 50 ms in both rounds, failing there
   * before. Returns the values by item.
   */
  async valuesPerSlot<T, V>(
    items: readonly T[],
    keyOf: (item: T) => string,
    read: (client: RedisClient, group: T[]) => Promise<V[]>,
  ): Promise<Map<T, V>> {
    const values = new Map<T, V>();
    await Promise.all(
      groupByHashTag(items, keyOf).map(async (group) => {
        const reply = await read(this.client, group);
        group.forEach((item, i) => values.set(item, reply[i]!));
      }),
    );
    return values;
  }

  /**
   * On a cluster, after writes a failover must not lose (mailbox deliveries and retractions, rebuilds, tombstones):
   * waits until each master serving `keys` has them on a replica (WAIT 1). Replication is asynchronous, so without
   * this a master that dies just after acknowledging a delivery hands its slots to a replica that never saw it, and
   * the job that wrote it has already completed: the mailbox would miss a post for good. A master with no replica
   * connected has none to fail over to (if it dies, its keys are gone and rebuilt from PostgreSQL), so it is not
   * waited for. Throws when a replica does not confirm in time: the job is retried, and its writes are idempotent.
   * On one Redis there is no failover, and nothing to wait for.
   */
  async replicated<T>(items: readonly T[], keyOf: (item: T) => string): Promise<void> {
    // Before any key is computed: on one Redis this sits on every fan-out batch and must cost nothing.
    if (!(this.client instanceof Cluster) || items.length === 0) return;
    const nodes = new Set(items.map((item) => this.nodeOf(keyOf(item))));
    const masters = this.client.nodes('master');
    await Promise.all(
      [...nodes].map((address) => {
        const node = masters.find((m) => `${m.options.host}:${m.options.port}` === address);
        if (!node) throw new UnavailableError(`no connection to the Redis master ${address} (failing over?)`);
        return this.replicaWaits.confirmed(address, async () => {
          if (Number(await node.wait(1, WAIT_REPLICA_MS)) >= 1) return;
          const info = String(await node.info('replication'));
          if (/connected_slaves:0\b/.test(info)) return;
          throw new UnavailableError(`the replica of Redis master ${address} did not confirm a write in time`);
        });
      }),
    );
  }

  /** One Redis: every group's commands on one pipeline, replies in the order queued (the timeline read's path). */
  private async onePipeline<T>(
    items: readonly T[],
    keyOf: (item: T) => string,
    add: (pipeline: ChainableCommander, group: T[]) => void,
  ): Promise<unknown[]> {
    const pipeline = this.client.pipeline();
    for (const group of groupByHashTag(items, keyOf)) add(pipeline, group);
    return ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  /**
   * A pipeline that meets a failover gets MOVED for each of its slots, each naming its own slot. ioredis follows
   * MOVED in a pipeline only when every reply carries the same error, so for ours (many slots a pipeline) it neither
   * retries nor refreshes its slot map: every retry of the job would go to the old master again, until the job gives
   * up (seen at 32 concurrent fan-out jobs). So the map is refreshed here, and the caller's retry finds the new master.
   */
  private remapIfMoved(replies: [Error | null, unknown][][]): void {
    const moved = replies.some((list) => list.some(([error]) => error && /^(MOVED|ASK) /.test(error.message)));
    if (!moved || !(this.client instanceof Cluster)) return;
    this.client.refreshSlotsCache((error) => {
      if (error) this.logger.warn(`could not refresh the cluster's slot map: ${error.message}`);
    });
  }

  /** The node serving a key: the master of its slot on a cluster (as last mapped), the one server otherwise. */
  private nodeOf(key: string): string {
    if (!(this.client instanceof Cluster)) return '';
    const slot = slotOf(key);
    return this.client.slots[slot]?.[0] ?? `slot:${slot}`;
  }

  /** A separate connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
  subscriber(): RedisClient {
    const subscriber = connectSubscriber(this.config);
    subscriber.on('error', (error: Error) => this.logger.debug(`subscriber: ${error.message}`));
    return subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
