import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PROJECT_ROOT } from '#libs/contract';
import type { Machine } from './bench.summary.js';

export async function machineInfo(redisUrl: string, databaseUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    const info = await redis.info('server');
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    return {
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
      postgres: rows[0]?.server_version ?? 'unknown',
      commit: git.status === 0 ? git.stdout.trim() : null,
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    redis.disconnect();
    await client.end().catch(() => undefined);
  }
}
