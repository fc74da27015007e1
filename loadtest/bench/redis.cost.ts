import { Redis } from 'ioredis';

/** What a Redis server had spent at one moment: CPU (the main thread) and, per command, calls and time inside it. */
export interface RedisSpend {
  cpuMicros: number;
  commands: Record<string, { calls: number; usec: number }>;
}

/** Redis time per delivered entry over an interval: CPU in all, and by command. */
export interface RedisCost {
  entries: number;
  /** The server's main-thread CPU (user + system) over the interval, per entry: everything, parsing included. */
  cpuMicrosPerEntry: number;
  /**
   * Per command, time inside it per entry (INFO commandstats). A script's time includes the commands it calls, which
   * are listed too (as Redis counts them), so these add up to more than the CPU.
   */
  byCommand: { command: string; calls: number; callsPerEntry: number; microsPerEntry: number }[];
}

export async function redisSpend(redisUrl: string): Promise<RedisSpend> {
  const redis = new Redis(redisUrl);
  try {
    const [cpu, stats] = [await redis.info('cpu'), await redis.info('commandstats')];
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
    const main = field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread');
    const commands: RedisSpend['commands'] = {};
    for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
      commands[m[1]!] = { calls: Number(m[2]), usec: Number(m[3]) };
    }
    return { cpuMicros: (main || field('used_cpu_user') + field('used_cpu_sys')) * 1e6, commands };
  } finally {
    redis.disconnect();
  }
}

export function costBetween(before: RedisSpend, after: RedisSpend, entries: number): RedisCost {
  const per = (value: number) => (entries > 0 ? Math.round((value / entries) * 1000) / 1000 : 0);
  const byCommand = Object.entries(after.commands)
    .map(([command, now]) => {
      const was = before.commands[command] ?? { calls: 0, usec: 0 };
      return { command, calls: now.calls - was.calls, usec: now.usec - was.usec };
    })
    .filter((c) => c.calls > 0 && c.command !== 'info')
    .sort((a, b) => b.usec - a.usec)
    .map((c) => ({ command: c.command, calls: c.calls, callsPerEntry: per(c.calls), microsPerEntry: per(c.usec) }));
  return { entries, cpuMicrosPerEntry: per(after.cpuMicros - before.cpuMicros), byCommand };
}
