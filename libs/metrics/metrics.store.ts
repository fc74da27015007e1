import { Injectable } from '@nestjs/common';
import type { ProcessSnapshot } from '#libs/contract';
import { RedisService } from '#libs/redis';

/** How long a process's last snapshot stays readable after it stopped publishing. */
const SNAPSHOT_TTL_SECONDS = 600;

/**
 * Each process's latest cumulative snapshot, in Redis, so one admin call can collect every API and worker process of a
 * deployment (processes do not know each other). An index sorted by publish time lists them.
 */
@Injectable()
export class MetricsStore {
  constructor(private readonly redis: RedisService) {}

  async publish(snapshot: ProcessSnapshot): Promise<void> {
    const keys = this.redis.keys;
    await this.redis.client
      .multi()
      .set(keys.metricsSnapshot(snapshot.process.id), JSON.stringify(snapshot), 'EX', SNAPSHOT_TTL_SECONDS)
      .zadd(keys.metricsIndex(), Date.parse(snapshot.takenAt), snapshot.process.id)
      .zremrangebyscore(keys.metricsIndex(), '-inf', Date.now() - SNAPSHOT_TTL_SECONDS * 1000)
      .exec();
  }

  /** Snapshots of every process that published in the last `withinMs`. */
  async recent(withinMs: number): Promise<ProcessSnapshot[]> {
    const keys = this.redis.keys;
    const ids = await this.redis.client.zrangebyscore(keys.metricsIndex(), Date.now() - withinMs, '+inf');
    if (ids.length === 0) return [];
    const pipeline = this.redis.client.pipeline();
    for (const id of ids) pipeline.get(keys.metricsSnapshot(id));
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([error, value]) => {
      if (error || typeof value !== 'string') return [];
      const snapshot = JSON.parse(value) as Partial<ProcessSnapshot>;
      // A process of another build may publish another shape: left out rather than failing the whole call.
      const usable = Array.isArray(snapshot.histograms) && Array.isArray(snapshot.counters) && snapshot.process?.id;
      return usable ? [snapshot as ProcessSnapshot] : [];
    });
  }
}
