import type { BenchRun, BenchSummary } from '../bench/bench.summary.js';
import { commonRates, count, runLabel } from './report.data.js';
import { table } from './report.table.js';

// What a read costs the server in CPU, step by step: capacity on a machine the load generator shares moves with
// latency thresholds and the machine's phase; CPU per request says where the difference between two servers lies.

const perRequest = (run: BenchRun, rate: number) =>
  run.serverCpu?.find((step) => step.targetRate === rate)?.msPerRequest ?? null;

const fixed = (value: number | null) => (value === null ? '–' : value.toFixed(3));

export function serverCpu(s: BenchSummary): string {
  const runs = s.runs.filter((run) => run.scenario === 'read' && run.serverCpu?.length);
  if (runs.length === 0) return '';
  const rates = [...new Set(runs.flatMap((run) => run.serverCpu!.map((step) => step.targetRate)))].sort(
    (a, b) => a - b,
  );
  const rows = runs.map((run) => [runLabel(run), ...rates.map((rate) => fixed(perRequest(run, rate)))]);
  return [
    '## Server CPU per read',
    'CPU time (user + system, from /proc) of the serving processes over each step of the read ladder, divided by the ' +
      'requests sent in it: the API processes, or the ceiling server. It is what a read costs the server whatever ' +
      'latency it met; above a strategy’s capacity it includes the cost of falling behind.',
    comparison(runs),
    table(['run', ...rates.map((rate) => `ms at ${count(rate)}/s`)], rows),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** At the lowest rate every run was offered (the least queueing): push against the ceiling, hybrid against push. */
function comparison(runs: BenchRun[]): string {
  const rate = commonRates(runs)[0];
  if (rate === undefined) return '';
  const of = (label: string) => {
    const run = runs.find((r) => runLabel(r) === label);
    return run ? perRequest(run, rate) : null;
  };
  const push = of('push');
  const facts: string[] = [];
  const ceiling = of('ceiling');
  if (push !== null && ceiling)
    facts.push(
      `push's API ${fixed(push)} ms against the ceiling's ${fixed(ceiling)} ms (${(push / ceiling).toFixed(2)}x)`,
    );
  const hybrid = of('hybrid');
  if (hybrid !== null && push) facts.push(`hybrid ${fixed(hybrid)} ms (${(hybrid / push).toFixed(2)}x push's)`);
  for (const run of runs.filter((r) => r.variant)) {
    const variant = perRequest(run, rate);
    if (variant !== null && hybrid) {
      facts.push(`${runLabel(run)} ${fixed(variant)} ms (${(variant / hybrid).toFixed(2)}x hybrid's)`);
    }
  }
  return facts.length ? `At ${count(rate)}/s: ${facts.join('; ')}.` : '';
}
