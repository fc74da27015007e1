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
 * CPU time (ns) the processes' threads have run so far, from /proc/<pid>/task/<tid>/schedstat: nanoseconds, where
 * /proc/<pid>/stat counts 10 ms ticks (over a few idle seconds a tick is several ms a second). A thread's figure is
 * brought up to date when it is switched out, which an idle thread is all the time.
 */
export function runNanosOf(pids: readonly number[]): number {
  let nanos = 0;
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        nanos += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended since the directory was read.
      }
    }
  }
  return nanos;
}

/**
 * The processes' CPU per second of wall time (ms/s) over `ms` in which nothing is sent to them: their background
 * (timers, metrics published each second, polls), which each step's CPU per request includes. It weighs most at low
 * rates: measured here, an API burning 25-50 ms/s idle adds 0.025-0.05 ms to a read at 1,000/s; the ceiling burns
 * under 1 ms/s.
 */
export async function idleCpuMsPerSecond(pids: readonly number[], ms: number): Promise<number> {
  const before = runNanosOf(pids);
  const started = performance.now();
  await sleep(ms);
  // ns per ms of wall time, over 1e3, is ms per second.
  return (runNanosOf(pids) - before) / 1e3 / (performance.now() - started);
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
