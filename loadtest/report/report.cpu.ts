import type { BenchRun, BenchSummary } from '../bench/bench.summary.js';
import { commonRates, count, runLabel } from './report.data.js';
import { table } from './report.table.js';

// What a read costs the server in CPU, step by step: capacity on a machine the load generator shares moves with
// latency thresholds and the machine's phase; CPU per request says where the difference between two servers lies.

const perRequest = (run: BenchRun, rate: number) =>
  run.serverCpu?.find((step) => step.targetRate === rate)?.msPerRequest ?? null;

/** Net of the server's idle CPU where the run measured it (runs before it did not). */
const netPerRequest = (run: BenchRun, rate: number) => {
  const step = run.serverCpu?.find((s) => s.targetRate === rate);
  return step?.netMsPerRequest ?? null;
};

const fixed = (value: number | null) => (value === null ? '–' : value.toFixed(3));

export function serverCpu(s: BenchSummary): string {
  const runs = s.runs.filter((run) => run.scenario === 'read' && run.serverCpu?.length);
  if (runs.length === 0) return '';
  const rates = [...new Set(runs.flatMap((run) => run.serverCpu!.map((step) => step.targetRate)))].sort(
    (a, b) => a - b,
  );
  const idle = runs.every((run) => run.serverIdleCpu !== undefined);
  const rows = runs.map((run) => [
    runLabel(run),
    ...rates.map((rate) => fixed(perRequest(run, rate))),
    ...(idle ? [run.serverIdleCpu!.toFixed(1)] : []),
  ]);
  return [
    '## Server CPU per read',
    'CPU time (user + system, from /proc) of the serving processes over each step of the read ladder, divided by the ' +
      'requests sent in it: the API processes, or the ceiling server. It is what a read costs the server whatever ' +
      'latency it met; above a strategy’s capacity it includes the cost of falling behind.' +
      (idle
        ? ' It includes what the server burns idle (timers, metrics, polls; the last column, in ms a second, read ' +
          'over 3 s before the ladder), most at low rates: the comparison below takes it out.'
        : ''),
    comparison(runs, idle),
    table(['run', ...rates.map((rate) => `ms at ${count(rate)}/s`), ...(idle ? ['idle ms/s'] : [])], rows),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** At the lowest rate every run was offered (the least queueing): push against the ceiling, hybrid against push. */
function comparison(runs: BenchRun[], net: boolean): string {
  const rate = commonRates(runs)[0];
  if (rate === undefined) return '';
  const cost = net ? netPerRequest : perRequest;
  const of = (label: string) => {
    const run = runs.find((r) => runLabel(r) === label);
    return run ? cost(run, rate) : null;
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
    const variant = cost(run, rate);
    if (variant !== null && hybrid) {
      facts.push(`${runLabel(run)} ${fixed(variant)} ms (${(variant / hybrid).toFixed(2)}x hybrid's)`);
    }
  }
  const basis = net ? ', net of each server’s idle CPU' : '';
  return facts.length ? `At ${count(rate)}/s${basis}: ${facts.join('; ')}.` : '';
}
