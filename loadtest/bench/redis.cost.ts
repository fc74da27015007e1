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

/** Each server's spend at one moment (the masters of a cluster, or the one Redis), in the order given. */
export const spendOf = (urls: readonly string[]) => Promise.all(urls.map(redisSpend));

/** Several servers' spends added: CPU, and per command its calls and time (a cluster's masters as one Redis). */
export function addSpends(spends: readonly RedisSpend[]): RedisSpend {
  const commands: RedisSpend['commands'] = {};
  for (const spend of spends) {
    for (const [name, c] of Object.entries(spend.commands)) {
      const sum = (commands[name] ??= { calls: 0, usec: 0 });
      sum.calls += c.calls;
      sum.usec += c.usec;
    }
  }
  return { cpuMicros: spends.reduce((sum, s) => sum + s.cpuMicros, 0), commands };
}

/** The command a mailbox write is: the delivery script's one RPUSHX per follower (libs/mailbox), counted by Redis. */
export const WRITE_COMMAND = 'rpushx';

/** What one master did over the drain: its mailbox writes (RPUSHX calls inside the delivery script) and its CPU. */
export interface MasterShare {
  /** `host:port` */
  node: string;
  writes: number;
  writesPerSec: number;
  /** Main-thread CPU of this master over the drain. */
  cpuMicros: number;
  /** The same per write of its own. */
  cpuMicrosPerWrite: number | null;
  /** Writes per second of this master's CPU: the per-Redis-core figure. */
  writesPerCpuSecond: number | null;
  /** Its CPU over the drain / the drain's wall time: how much of one core it used. */
  busy: number;
}

export function perMaster(
  nodes: readonly string[],
  before: readonly RedisSpend[],
  after: readonly RedisSpend[],
  seconds: number,
): MasterShare[] {
  return nodes.map((node, i) => {
    const calls = (s: RedisSpend | undefined) => s?.commands[WRITE_COMMAND]?.calls ?? 0;
    const writes = calls(after[i]) - calls(before[i]);
    const cpu = (after[i]?.cpuMicros ?? 0) - (before[i]?.cpuMicros ?? 0);
    return {
      node,
      writes,
      writesPerSec: seconds > 0 ? Math.round(writes / seconds) : 0,
      cpuMicros: Math.round(cpu),
      cpuMicrosPerWrite: writes > 0 ? Math.round((cpu / writes) * 1000) / 1000 : null,
      writesPerCpuSecond: cpu > 0 ? Math.round((writes / cpu) * 1e6) : null,
      busy: seconds > 0 ? Math.round((cpu / 1e6 / seconds) * 100) / 100 : 0,
    };
  });
}
