import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { type ApiClient, between, combine, counterTotal, FANOUT_QUEUE, RedisKeys, SERIES } from '#libs/contract';
import type { Credentials } from '../driver/credentials.model.js';
import { zaddPrefix } from './bench.cleanup.js';
import { mapLimit } from './bench.lanes.js';
import { drain } from './bench.stack.js';
import type { FanoutThroughput } from './bench.summary.js';
import { redisBenchmarkZadd } from './redis.benchmark.js';
import { cpuMicrosOf, postgresPids } from './process.cpu.js';
import { addSpends, costBetween, perMaster, spendOf } from './redis.cost.js';
import { addressOf, tagOn, type RedisTarget } from './redis.target.js';

const MAX_AUTHORS = 200;

/**
 * The pipelined ZADD limit of one Redis: the one the deployment uses, or on a cluster its first master, with keys of
 * one hash tag that master serves (redis-benchmark is a plain client there). A per-Redis-core figure either way.
 */
async function zaddLimit(target: RedisTarget, prefix: string, log: (line: string) => void) {
  const scratch = zaddPrefix({ redisPrefix: prefix });
  const master = target.masters[0]!;
  if (target.kind === 'single') return { perSec: await redisBenchmarkZadd(master, scratch, log), on: 'the same Redis' };
  const tag = tagOn(target.masterOf, master);
  const perSec = await redisBenchmarkZadd(master, `${scratch}:{${tag}}`, log);
  return { perSec, on: `one master of ${target.masters.length} (${addressOf(master)}), alone` };
}

/**
 * Fan-out throughput: with the queue paused, the most followed authors post until their posts add up to
 * `targetWrites` mailbox writes; then the queue is resumed and the time until it is idle again is the drain. The
 * pipelined ZADD limit of one Redis is measured just before and just after, so the ratio (to their mean) says how
 * close the workers come to it per Redis.
 */
export async function measureFanoutThroughput(
  api: ApiClient,
  credentials: Credentials,
  redis: { target: RedisTarget; prefix: string; workerPids: readonly number[] },
  targetWrites: number,
  publishMs: number,
  fanoutConcurrency: number | null,
  log: (line: string) => void,
): Promise<FanoutThroughput> {
  const { target } = redis;
  const zadd = await zaddLimit(target, redis.prefix, log);
  const authors = [...credentials.users].sort((a, b) => b.followers - a.followers).slice(0, MAX_AUTHORS);
  const posts: typeof authors = [];
  let expectedWrites = 0;
  while (expectedWrites < targetWrites) {
    const author = authors[posts.length % authors.length]!;
    posts.push(author);
    expectedWrites += author.followers + 1;
  }
  // The product's queue, by its name and key prefix; a connection of the bench's own, closed with the queue. Its keys
  // share one hash tag, so on a cluster they all live on the master of that slot, which a plain connection serves.
  const bullPrefix = new RedisKeys(redis.prefix).bullPrefix();
  const connection = new Redis(target.masterOf(bullPrefix), { maxRetriesPerRequest: null });
  const queue = new Queue(FANOUT_QUEUE, { connection, prefix: bullPrefix });
  let seconds: number;
  let before: Awaited<ReturnType<ApiClient['metricsSnapshots']>>;
  let spentBefore: Awaited<ReturnType<typeof spendOf>>;
  let spentAfter: Awaited<ReturnType<typeof spendOf>>;
  let replicasBefore: Awaited<ReturnType<typeof spendOf>>;
  let replicasAfter: Awaited<ReturnType<typeof spendOf>>;
  let cpuBefore: ReturnType<typeof processCpu>;
  let cpuAfter: ReturnType<typeof processCpu>;
  try {
    await queue.pause();
    await mapLimit(posts, 16, (author) => api.post(author.token, `backlog post by u${author.id}`));
    log(
      `fan-out backlog: ${posts.length} posts by ${Math.min(posts.length, authors.length)} authors, ${expectedWrites} mailbox writes`,
    );
    before = await api.metricsSnapshots();
    [spentBefore, replicasBefore] = [await spendOf(target.masters), await spendOf(target.replicas)];
    cpuBefore = processCpu(redis.workerPids);
    const started = performance.now();
    await queue.resume();
    await drain(api, 'fan-out backlog', log, 50);
    seconds = (performance.now() - started) / 1000;
    cpuAfter = processCpu(redis.workerPids);
    [spentAfter, replicasAfter] = [await spendOf(target.masters), await spendOf(target.replicas)];
  } finally {
    await queue.resume();
    await queue.close();
    connection.disconnect();
  }
  await sleep(publishMs + 500);
  const processes = between(before, await api.metricsSnapshots());
  // Measured again once the workers are idle: the limit the drain is judged against is the mean of the two.
  const zaddAfter = await zaddLimit(target, redis.prefix, log);
  const measured = [zadd.perSec, zaddAfter.perSec].filter((x): x is number => x !== null);
  const zaddPerSec = measured.length ? Math.round(measured.reduce((a, b) => a + b, 0) / measured.length) : null;
  const server = combine(processes);
  const writes = counterTotal(server.counters, SERIES.mailboxWrites, 'deliver');
  const writesPerSec = Math.round(writes / seconds);
  const redisCost = costBetween(addSpends(spentBefore), addSpends(spentAfter), writes);
  const masters = target.masters.length;
  const replicaCpu = addSpends(replicasAfter).cpuMicros - addSpends(replicasBefore).cpuMicros;
  const perWorker = processes
    .filter((p) => p.process.role === 'worker')
    .map((p) => counterTotal(p.counters, SERIES.mailboxWrites, 'deliver'));
  log(
    `fan-out drained ${writes} mailbox writes in ${seconds.toFixed(2)} s: ${writesPerSec}/s` +
      `${masters > 1 ? ` (${Math.round(writesPerSec / masters)}/s per master)` : ''} ` +
      `(ZADD -P 64 on ${zadd.on}: ${zaddPerSec === null ? 'not measured' : `${zaddPerSec}/s`}, ` +
      `${zadd.perSec ?? '-'}/s before and ${zaddAfter.perSec ?? '-'}/s after); ` +
      `Redis CPU ${redisCost.cpuMicrosPerEntry} µs per write; per worker ${perWorker.join(', ')}`,
  );
  return {
    posts: posts.length,
    authors: Math.min(posts.length, authors.length),
    expectedWrites,
    writes,
    seconds,
    writesPerSec,
    zaddPerSec,
    zaddAround: { before: zadd.perSec, after: zaddAfter.perSec },
    cpuPerWrite: cpuPerWrite(redisCost.cpuMicrosPerEntry, cpuBefore, cpuAfter, writes),
    ratioToZadd: zaddPerSec ? Math.round((writesPerSec / masters / zaddPerSec) * 100) / 100 : null,
    fanoutConcurrency,
    redisCost,
    zaddOn: zadd.on,
    masters,
    perMaster: perMaster(target.masters.map(addressOf), spentBefore, spentAfter, seconds),
    replicaCpuMicrosPerWrite:
      target.replicas.length && writes > 0 ? Math.round((replicaCpu / writes) * 1000) / 1000 : null,
    perWorker,
    server: { series: server.series, counters: server.counters },
  };
}

/** CPU used so far by the workers and by PostgreSQL (µs). */
function processCpu(workerPids: readonly number[]) {
  return { workers: cpuMicrosOf(workerPids), postgres: cpuMicrosOf(postgresPids()) };
}

function cpuPerWrite(
  redisMicros: number,
  before: ReturnType<typeof processCpu>,
  after: ReturnType<typeof processCpu>,
  writes: number,
): FanoutThroughput['cpuPerWrite'] {
  if (writes === 0) return undefined;
  const per = (micros: number) => Math.round((micros / writes) * 1000) / 1000;
  const workerMicros = per(after.workers - before.workers);
  const postgresMicros = per(after.postgres - before.postgres);
  const cores = os.cpus().length;
  const coresBound = Math.round((cores * 1e6) / (redisMicros + workerMicros + postgresMicros));
  return { redisMicros, workerMicros, postgresMicros, cores, coresBound };
}
