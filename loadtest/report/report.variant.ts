import { manyCelebrities } from '../bench/bench.goals.js';
import { capacityText, type BenchRun, type BenchSummary } from '../bench/bench.summary.js';
import { serverStat } from '../bench/server.latency.js';
import { count, ms, runLabel, stepAtRate, tagOf } from './report.data.js';
import { table } from './report.table.js';

// The --celebrity-variant section: hybrid's read with many more authors in pull mode, against the main hybrid run.

export function celebrityVariant(s: BenchSummary): string {
  const many = manyCelebrities(s.runs);
  if (!many || many.rate === null) return '';
  const { rate } = many;
  const row = (run: BenchRun) => {
    const step = stepAtRate(run, rate)!;
    const server = serverStat(run, step.step, 'timeline');
    return [
      runLabel(run),
      count(run.pullMode?.celebrityThreshold),
      count(run.pullMode?.authors),
      capacityText(run.capacity),
      ms(tagOf(step, 'timeline')?.p50Ms),
      ms(server?.p50Ms),
      ms(server?.p99Ms),
    ];
  };
  const ratio =
    many.mainP50 && many.variantP50 !== null ? `**${(many.variantP50 / many.mainP50).toFixed(2)}x**` : 'not measured';
  return [
    '## Hybrid with more celebrities',
    `The read scenario again under hybrid with the celebrity threshold lowered, after a post from each new celebrity ` +
      `put them in pull mode: every read merges the recent posts of each one the reader follows. At ${count(rate)}/s ` +
      `(the lowest rate of both ladders: the least queueing) the server's p50 per read is ${ratio} the main run's.`,
    table(
      [
        'run',
        'celebrity threshold',
        'authors in pull mode',
        'capacity',
        `client p50 ms at ${rate}/s`,
        'server p50 ms',
        'server p99 ms',
      ],
      [row(many.main), row(many.variant)],
    ),
  ].join('\n\n');
}
