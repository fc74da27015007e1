import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuMicrosOf, pidsNamed } from './process.cpu.js';

describe('cpuMicrosOf', () => {
  it("reads this process's CPU time as Node itself counts it, and nothing for a process that does not exist", () => {
    const before = cpuMicrosOf([process.pid]);
    const own = process.cpuUsage();
    // Spin until Node says 100 ms of CPU went by, however busy the machine is.
    let spent = 0;
    while (spent < 100_000) {
      const used = process.cpuUsage(own);
      spent = used.user + used.system;
    }
    const read = cpuMicrosOf([process.pid]) - before;
    // /proc counts in 10 ms ticks, and other threads of this process (the GC's) count there too.
    expect(read).toBeGreaterThanOrEqual(spent - 20_000);
    expect(read).toBeLessThanOrEqual(spent + 60_000);
    expect(cpuMicrosOf([2 ** 22 + 12_345])).toBe(0);
  });
});

describe('pidsNamed', () => {
  it('finds this process by its command name, and nothing by a name no process has', () => {
    const name = readFileSync(`/proc/${process.pid}/comm`, 'utf8').trim();
    expect(pidsNamed(name)).toContain(process.pid);
    expect(pidsNamed('no-such-command-here')).toEqual([]);
  });
});
