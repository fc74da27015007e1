import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { deletePrefix } from '#libs/contract';
import { ProgressMeter } from '../progress/progress.meter.js';

// The pipelined ZADD limit of the Redis the bench uses, from `redis-benchmark -P 64`: the yardstick for the fan-out
// throughput. It writes random keys under a prefix of the bench's, in the bench's own Redis database, and removes
// exactly those keys afterwards (never FLUSHDB: the server may hold someone else's data).

export const ZADD_REQUESTS = 1_000_000;

/**
 * Where redis-benchmark connects, read the way the product's client (ioredis) reads the URL: the database may be a
 * path (`redis://host/7`) or a query (`?db=7`), and redis-benchmark selects database 0 unless told otherwise.
 */
export function connectionArgs(redisUrl: string): string[] {
  const client = new Redis(redisUrl, { lazyConnect: true });
  const { host, port, db, username, password, tls } = client.options;
  client.disconnect();
  const args = ['-h', String(host), '-p', String(port), '--dbnum', String(db ?? 0)];
  if (username) args.push('--user', username);
  if (password) args.push('-a', password);
  if (tls) args.push('--tls');
  return args;
}

export function zaddArgs(redisUrl: string, keyPrefix: string, requests: number): string[] {
  return [
    ...connectionArgs(redisUrl),
    ...['-n', String(requests), '-P', '64', '-r', '100000', '-q'],
    ...['ZADD', `${keyPrefix}:__rand_int__`, '__rand_int__', 'm__rand_int__'],
  ];
}

/** The last "overall" rate of redis-benchmark's running line (`ZADD …: rps=… (overall: 242388.0) avg_msec=…`). */
export function overallRate(output: string): number | null {
  const rate = [...output.matchAll(/rps=[\d.]+ \(overall: ([\d.]+)\)/g)].at(-1)?.[1];
  return rate === undefined ? null : Number(rate);
}

/** The final result line of `-q` (`ZADD …: 331565.00 requests per second, p50=…`). */
export function finalRate(output: string): number | null {
  const rate = [...output.matchAll(/([\d.]+) requests per second/g)].at(-1)?.[1];
  return rate === undefined ? null : Math.round(Number(rate));
}

/**
 * `redis-benchmark -P 64` ZADD into random keys under `keyPrefix` (in the URL's database), with a progress line every
 * few seconds; the keys are removed afterwards, whatever happened. Null when redis-benchmark is not installed or failed.
 */
export async function redisBenchmarkZadd(
  redisUrl: string,
  keyPrefix: string,
  log: (line: string) => void,
  requests = ZADD_REQUESTS,
): Promise<number | null> {
  const meter = new ProgressMeter('redis-benchmark ZADD -P 64', requests, 'requests', log);
  let output: string | null;
  try {
    output = await new Promise<string | null>((resolve) => {
      const child = spawn('redis-benchmark', zaddArgs(redisUrl, keyPrefix, requests), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const started = performance.now();
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        // redis-benchmark redraws one line (\r) four times a second; requests done ≈ overall rate × time.
        const rate = overallRate(String(d));
        if (rate !== null) meter.update(Math.min(requests, (rate * (performance.now() - started)) / 1000));
      });
      child.on('error', () => resolve(null));
      child.on('close', (code) => resolve(code === 0 ? text : null));
    });
  } finally {
    const removed = await deletePrefix(redisUrl, keyPrefix);
    log(`redis-benchmark: removed its ${removed.toLocaleString('en-US')} scratch keys (${keyPrefix}:*)`);
  }
  const rate = output === null ? null : finalRate(output);
  if (rate === null) log('redis-benchmark is not available or failed: the ZADD limit is not measured');
  return rate;
}
