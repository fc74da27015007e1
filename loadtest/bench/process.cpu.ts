import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** /proc counts CPU time in clock ticks of USER_HZ, which Linux fixes at 100 for user space whatever the kernel's HZ. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, in µs) the processes have used so far, from /proc/<pid>/stat; a process that has exited
 * counts nothing. The bench reads it for the server under load at each phase end, so a run states what a request
 * costs the server in CPU, apart from the latency it met on a machine shared with the load generator.
 */
export function cpuMicrosOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1e6) / TICKS_PER_SECOND;
}

/**
 * The processes' CPU per second of wall time (ms/s) over `ms` in which nothing is sent to them: their background
 * (timers, metrics published each second, polls), which each step's CPU per request includes. It weighs most at low
 * rates: an API burning 36 ms/s idle adds 0.036 ms to a read at 1,000/s, a bare server burning 4 ms/s 0.004 ms.
 */
export async function idleCpuMsPerSecond(pids: readonly number[], ms: number): Promise<number> {
  const before = cpuMicrosOf(pids);
  const started = performance.now();
  await sleep(ms);
  // µs per ms of wall time is ms per second.
  return (cpuMicrosOf(pids) - before) / (performance.now() - started);
}

/**
 * The pids of every PostgreSQL process on this machine (the server and its backends, by their command name): the
 * bench's database server is the machine's, which serves nothing else during a run.
 */
export function postgresPids(): number[] {
  return pidsNamed('postgres');
}

/** The pids of the processes whose command name (/proc/<pid>/comm) is `name`. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone since the directory was read.
    }
  }
  return pids;
}
