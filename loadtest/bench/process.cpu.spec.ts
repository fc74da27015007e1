import { describe, expect, it } from 'vitest';
import { cpuMicrosOf } from './process.cpu.js';

describe('cpuMicrosOf', () => {
  it("counts this process's CPU time as it spins, and nothing for a process that does not exist", () => {
    const before = cpuMicrosOf([process.pid]);
    const until = Date.now() + 150;
    let spins = 0;
    while (Date.now() < until) spins++;
    const spent = cpuMicrosOf([process.pid]) - before;
    expect(spins).toBeGreaterThan(0);
    // 150 ms of wall time spinning: at least a third of it on the CPU, even on a busy machine; never more than it.
    expect(spent).toBeGreaterThanOrEqual(50_000);
    expect(spent).toBeLessThanOrEqual(400_000);
    expect(cpuMicrosOf([2 ** 22 + 12_345])).toBe(0);
  });
});
