import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMicrosOf, idleCpuMsPerSecond, pidsNamed, runNanosOf } from './process.cpu.js';

/** Spins until Node says `micros` of CPU went by, however busy the machine is; returns what it says went by. */
function spin(micros: number): number {
  const own = process.cpuUsage();
  let spent = 0;
  while (spent < micros) {
    const used = process.cpuUsage(own);
    spent = used.user + used.system;
  }
  return spent;
}

describe('cpuMicrosOf', () => {
  it("reads this process's CPU time as Node itself counts it, and nothing for a process that does not exist", () => {
    const before = cpuMicrosOf([process.pid]);
    const spent = spin(100_000);
    const read = cpuMicrosOf([process.pid]) - before;
    // /proc counts in 10 ms ticks, and other threads of this process (the GC's) count there too.
    expect(read).toBeGreaterThanOrEqual(spent - 20_000);
    expect(read).toBeLessThanOrEqual(spent + 60_000);
    expect(cpuMicrosOf([2 ** 22 + 12_345])).toBe(0);
  });
});

describe('runNanosOf and idleCpuMsPerSecond', () => {
  it("read this process's threads' run time in ns as Node counts its CPU, and a process that does not exist as 0", () => {
    const before = runNanosOf([process.pid]);
    const spent = spin(100_000);
    const read = (runNanosOf([process.pid]) - before) / 1000;
    // A running thread's figure can lag by a scheduler tick; other threads (the GC's) count too.
    expect(read).toBeGreaterThanOrEqual(spent - 15_000);
    expect(read).toBeLessThanOrEqual(spent + 60_000);
    expect(runNanosOf([2 ** 22 + 12_345])).toBe(0);
  });

  it('gives a sleeping process next to nothing a second, and a busy one most of a core', async () => {
    const sleeping = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await idleCpuMsPerSecond([sleeping.pid!], 500)).toBeLessThan(20);
      // At least a third of a core, however busy the shared machine is.
      expect(await idleCpuMsPerSecond([busy.pid!], 500)).toBeGreaterThan(300);
    } finally {
      sleeping.kill();
      busy.kill();
    }
  });
});

describe('pidsNamed', () => {
  it('finds this process by its command name, and nothing by a name no process has', () => {
    const name = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
    expect(pidsNamed(name)).toContain(process.pid);
    expect(pidsNamed('no-such-command-here')).toEqual([]);
  });
});
