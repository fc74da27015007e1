import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchSummary } from '../bench/bench.summary.js';
import { cpuPerStep } from '../bench/bench.scenario.js';
import { serverCpu } from './report.cpu.js';
import { renderMarkdown } from './report.markdown.js';

const committed = () =>
  JSON.parse(
    readFileSync(new URL('../../docs/benchmarks/2026-12-01-10k-mailbox/summary.json', import.meta.url), 'utf8'),
  ) as BenchSummary;

describe('the Server CPU per read section', () => {
  it('is absent from runs made before the CPU was read', () => {
    expect(serverCpu(committed())).toBe('');
  });

  it('tabulates each read run by rate, and compares them at the lowest rate all were offered', () => {
    const s = committed();
    const cost: Record<string, number> = { hybrid: 0.5, push: 0.4, ceiling: 0.2 };
    for (const run of s.runs) {
      const label = run.target === 'ceiling' ? 'ceiling' : run.variant ? 'variant' : run.strategy;
      run.serverCpu = run.client.steps.map((step) => ({
        step: step.step,
        targetRate: step.targetRate,
        cpuSeconds: 1,
        msPerRequest: (cost[label] ?? 0.6) * (step.targetRate === 500 ? 1 : 2),
      }));
    }
    const section = serverCpu(s);
    expect(section).toContain(
      "At 500/s: push's API 0.400 ms against the ceiling's 0.200 ms (2.00x); hybrid 0.500 ms (1.25x push's); " +
        "hybrid, threshold 120 0.600 ms (1.20x hybrid's).",
    );
    expect(section).toMatch(/\| push \| 0\.400 \| 0\.800 \|/);
    expect(section).toMatch(/\| ceiling \| 0\.200 \| 0\.400 \|/);
  });

  it('takes each server’s idle CPU out of the comparison where the runs measured it, and shows it', () => {
    const s = committed();
    const idle: Record<string, number> = { hybrid: 40, push: 36, ceiling: 4 };
    for (const run of s.runs) {
      const label = run.target === 'ceiling' ? 'ceiling' : run.variant ? 'variant' : run.strategy;
      run.serverIdleCpu = idle[label] ?? 40;
      // CPU samples (µs) at the ladder's start and each step's end: 1 ms for each request the step was due to send.
      let micros = 0;
      const samples = [0, ...run.client.steps.map((step) => (micros += step.durationSeconds * step.targetRate * 1000))];
      run.serverCpu = cpuPerStep(run.client, samples, 0, run.serverIdleCpu);
    }
    const section = serverCpu(s);
    // Less idle ms/s over the step, per request the step sent.
    const first = s.runs.find((run) => run.strategy === 'push' && run.target === 'api' && !run.variant)!.client
      .steps[0]!;
    const pushNet = (first.durationSeconds * first.targetRate - 36 * first.durationSeconds) / first.sent!;
    expect(section).toContain(`At 500/s, net of each server’s idle CPU: push's API ${pushNet.toFixed(3)} ms`);
    expect(section).toMatch(/\| ceiling \|[^\n]*\| 4\.0 \|/);
  });

  it('compares gross figures, without the idle column, when a run did not read its idle CPU', () => {
    const s = committed();
    for (const run of s.runs) {
      const ceiling = run.target === 'ceiling';
      if (!ceiling) run.serverIdleCpu = 36;
      run.serverCpu = run.client.steps.map((step) => ({
        step: step.step,
        targetRate: step.targetRate,
        cpuSeconds: 1,
        msPerRequest: ceiling ? 0.2 : 0.4,
        ...(!ceiling && { netMsPerRequest: 0.3 }),
      }));
    }
    const section = serverCpu(s);
    expect(section).toContain("At 500/s: push's API 0.400 ms against the ceiling's 0.200 ms (2.00x)");
    expect(section).not.toContain('idle ms/s');
  });
});

describe('the fan-out section', () => {
  it('adds up the CPU per write of every process the drain used, and what the cores could do at that cost', () => {
    const s = committed();
    s.fanout = {
      ...s.fanout!,
      zaddPerSec: 400_000,
      cpuPerWrite: { redisMicros: 5, workerMicros: 4, postgresMicros: 1, cores: 2, coresBound: 200_000 },
    };
    expect(renderMarkdown(s)).toContain(
      'CPU per mailbox write over the drain, by process: Redis 5 µs, the worker 4 µs, PostgreSQL 1 µs: 10.000 µs in ' +
        "all. At that cost the machine's 2 cores, doing nothing else, could drain at most **200,000 writes/s** " +
        '(0.50x the ZADD limit)',
    );
  });
});
