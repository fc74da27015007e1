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
import { costBetween, redisSpend } from './redis.cost.js';

const MAX_AUTHORS = 200;

/**
 * Fan-out throughput: with the queue paused, the most followed authors post until their posts add up to
 * `targetWrites` mailbox writes; then the queue is resumed and the time until it is idle again is the drain. The
 * pipelined ZADD limit of the same Redis is measured first, so the ratio says how close the workers come to it.
 */
export async function measureFanoutThroughput(
  api: ApiClient,
  credentials: Credentials,
  redis: { url: string; prefix: string },
  targetWrites: number,
  publishMs: number,
  fanoutConcurrency: number | null,
  log: (line: string) => void,
): Promise<FanoutThroughput> {
  const zaddPerSec = await redisBenchmarkZadd(redis.url, zaddPrefix({ redisPrefix: redis.prefix }), log);
  const authors = [...credentials.users].sort((a, b) => b.followers - a.followers).slice(0, MAX_AUTHORS);
  const posts: typeof authors = [];
  let expectedWrites = 0;
  while (expectedWrites < targetWrites) {
    const author = authors[posts.length % authors.length]!;
    posts.push(author);
    expectedWrites += author.followers + 1;
  }
  // The product's queue, by its name and key prefix; a connection of the bench's own, closed with the queue.
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(FANOUT_QUEUE, { connection, prefix: new RedisKeys(redis.prefix).bullPrefix() });
  let seconds: number;
  let before: Awaited<ReturnType<ApiClient['metricsSnapshots']>>;
  let spentBefore: Awaited<ReturnType<typeof redisSpend>>;
  let spentAfter: Awaited<ReturnType<typeof redisSpend>>;
  try {
    await queue.pause();
    await mapLimit(posts, 16, (author) => api.post(author.token, `backlog post by u${author.id}`));
    log(
      `fan-out backlog: ${posts.length} posts by ${Math.min(posts.length, authors.length)} authors, ${expectedWrites} mailbox writes`,
    );
    before = await api.metricsSnapshots();
    spentBefore = await redisSpend(redis.url);
    const started = performance.now();
    await queue.resume();
    await drain(api, 'fan-out backlog', log, 50);
    seconds = (performance.now() - started) / 1000;
    spentAfter = await redisSpend(redis.url);
  } finally {
    await queue.resume();
    await queue.close();
    connection.disconnect();
  }
  await sleep(publishMs + 500);
  const server = combine(between(before, await api.metricsSnapshots()));
  const writes = counterTotal(server.counters, SERIES.mailboxWrites, 'deliver');
  const writesPerSec = Math.round(writes / seconds);
  const redisCost = costBetween(spentBefore, spentAfter, writes);
  log(
    `fan-out drained ${writes} mailbox writes in ${seconds.toFixed(2)} s: ${writesPerSec}/s ` +
      `(ZADD -P 64: ${zaddPerSec === null ? 'not measured' : `${zaddPerSec}/s`}); ` +
      `Redis CPU ${redisCost.cpuMicrosPerEntry} µs per write`,
  );
  return {
    posts: posts.length,
    authors: Math.min(posts.length, authors.length),
    expectedWrites,
    writes,
    seconds,
    writesPerSec,
    zaddPerSec,
    ratioToZadd: zaddPerSec ? Math.round((writesPerSec / zaddPerSec) * 100) / 100 : null,
    fanoutConcurrency,
    redisCost,
    server: { series: server.series, counters: server.counters },
  };
}
