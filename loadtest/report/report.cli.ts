#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { evaluateGoals } from '../bench/bench.goals.js';
import type { BenchSummary } from '../bench/bench.summary.js';
import { BENCH_FORMAT, capacityOf } from '../bench/bench.summary.js';
import { writeReports } from './report.files.js';

// Renders report.md and report.html again from a bench's summary.json (for instance after the report changed). The
// capacities and goals are evaluated again from the stored ladder steps, and summary.json is rewritten with them, so
// all three files agree (the measurements themselves are never touched):
//   node dist/loadtest/report/report.cli.js docs/benchmarks/<run>/summary.json

async function main(file: string | undefined): Promise<number> {
  if (!file) {
    console.error('usage: report.cli.js <summary.json>   (writes report.md and report.html beside it)');
    return 2;
  }
  const summary = JSON.parse(await readFile(file, 'utf8')) as BenchSummary;
  if (summary.format !== BENCH_FORMAT) {
    console.error(
      `${file} is not a bench summary (format ${JSON.stringify(summary.format)}, expected ${BENCH_FORMAT})`,
    );
    return 2;
  }
  const dir = dirname(resolve(file));
  // Capacities too: summaries written before `sustained` existed get it from their own ladder steps.
  for (const run of [...summary.runs, ...(summary.scaling?.deployments.flatMap((d) => d.runs) ?? [])]) {
    run.capacity = capacityOf(run.client, run.capacity.p99LimitMs);
  }
  summary.goals = evaluateGoals(summary);
  await writeFile(file, JSON.stringify(summary, null, 1) + '\n');
  await writeReports(summary, dir);
  console.log(`wrote ${dir}/report.md and ${dir}/report.html`);
  return 0;
}

main(process.argv[2]).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
