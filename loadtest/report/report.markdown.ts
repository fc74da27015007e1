import { capacityText, sustainedText, type BenchRun, type BenchSummary } from '../bench/bench.summary.js';
import { hostWarnings, judgementWarnings } from '../bench/bench.warnings.js';
import { serverStat } from '../bench/server.latency.js';
import { count, mainEndpoint, mark, ms, runLabel, runsOf, scenariosOf, tagOf } from './report.data.js';
import { fanout, memory } from './report.redis.js';
import { predictions } from './report.predictions.js';
import { scaling } from './report.scaling.js';
import { table } from './report.table.js';
import { celebrityVariant } from './report.variant.js';
import { serverCpu } from './report.cpu.js';

export function renderMarkdown(s: BenchSummary): string {
  const parts = [
    header(s),
    warnings(s),
    goals(s),
    capacity(s),
    serverCpu(s),
    celebrityVariant(s),
    predictions(s),
    fanout(s),
    scaling(s),
    memory(s),
    ...scenariosOf(s).map((name) => ladder(s, name)),
    stages(s),
    setup(s),
  ];
  return parts.filter(Boolean).join('\n\n') + '\n';
}

function header(s: BenchSummary): string {
  const m = s.machine;
  return [
    '# fanout-lab benchmark: push, pull and hybrid home timelines',
    `${s.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit ${m.commit ?? 'unknown'}; ${m.cores} cores (${m.cpuModel}), ` +
      `${m.memoryGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}. ` +
      `Graph: ${count(s.graph.params.users)} users, mean ${s.graph.params.meanFollows} follows, Zipf ${s.graph.params.zipfExponent}` +
      `${s.graph.rows ? `, ${count(s.graph.rows.follows)} follows, ${count(s.graph.rows.posts)} posts` : ''}.`,
    `Made by \`${s.command}\` in ${Math.round((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 60_000)} minutes. ` +
      'Every figure below comes from `summary.json` beside this file; `report.html` has the charts.',
  ].join('\n\n');
}

/** Above everything else: a run too short to judge, or made on a machine that paused it, must say so first. */
function warnings(s: BenchSummary): string {
  const short = judgementWarnings(s.runs);
  const host = hostWarnings(s.runs);
  return [
    short.length > 0 &&
      `> **Too short to judge the goals.** ${short.join(' ')} Run with the scenario files' step and warm-up lengths (or --step-seconds 20 --warmup-seconds 10) before reading the verdicts as the service's.`,
    host.length > 0 &&
      `> **A machine that paused the servers.** ${host.join(' ')} Run again when the machine is quiet before reading the capacity verdicts as the service's.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

function goals(s: BenchSummary): string {
  const caution = judgementWarnings(s.runs).length
    ? '**The verdicts below come from a run too short to judge them: see the warning above.**'
    : hostWarnings(s.runs).length
      ? '**The capacity verdicts below come from a run on a machine that paused the servers: see the warning above.**'
      : '';
  return [
    '## Goals',
    ...(caution ? [caution] : []),
    table(
      ['goal', 'target', 'measured', 'met'],
      s.goals.map((g) => [g.description, g.target, g.measured, mark(g.ok)]),
    ),
  ].join('\n\n');
}

function capacity(s: BenchSummary): string {
  const rows = s.runs.map((run) => {
    const sustained = run.capacity.sustained;
    const atSustained = sustained === null ? undefined : run.client.steps.find((x) => x.targetRate === sustained);
    return [
      run.scenario,
      runLabel(run),
      capacityText(run.capacity),
      `${run.capacity.p99LimitMs} ms`,
      run.capacity.limitedBy,
      sustainedText(sustained),
      ms(atSustained ? tagOf(atSustained, mainEndpoint(run))?.p99Ms : null),
      run.invariant ? `${run.invariant.mismatches} of ${run.invariant.users} differ` : '–',
    ];
  });
  return [
    '## Capacity',
    "**Capacity**: the highest offered rate up to which every step kept p99 within the scenario's limit with under " +
      "1 % dropped or failed requests (open model: latency counted from each request's scheduled send time). " +
      '**Sustained**: the same without the latency limit (the throughput a strategy keeps up with) and its p99 ' +
      'there. "Invariant" is the check made after each run drained: the first page of sampled users read under push ' +
      "and hybrid, compared with pull's.",
    table(
      ['scenario', 'strategy', 'capacity', 'p99 limit', 'limited by', 'sustained', 'p99 there ms', 'invariant'],
      rows,
    ),
  ].join('\n\n');
}

function ladder(s: BenchSummary, scenario: string): string {
  const runs = runsOf(s, scenario);
  const first = runs[0]!;
  const rows: string[][] = [];
  for (const run of runs) {
    const endpoint = mainEndpoint(run);
    for (const step of run.client.steps) {
      const tag = tagOf(step, endpoint);
      const server = run.target === 'api' ? serverStat(run, step.step, endpoint) : null;
      rows.push([
        runLabel(run),
        count(step.targetRate),
        count(Math.round(step.total.ratePerSec)),
        ms(tag?.p50Ms),
        ms(tag?.p90Ms),
        ms(tag?.p99Ms),
        ms(tag?.p999Ms),
        ms(tag?.maxMs),
        count(step.total.errors),
        count(step.total.dropped),
        ms(server?.p50Ms),
        ms(server?.p99Ms),
      ]);
    }
  }
  const endpoint = mainEndpoint(first);
  return [
    `## Scenario: ${scenario}`,
    `${first.client.config.mix.map((m) => `${m.endpoint} ×${m.weight} (${m.who})`).join(', ')}; ` +
      `${first.client.config.stepSeconds} s per step after ${first.client.config.warmupSeconds} s of warm-up. ` +
      `Latencies of \`${endpoint}\` in ms, client side from the scheduled send; "server" is the API's own time for the route.`,
    table(
      [
        'strategy',
        'offered/s',
        'achieved/s',
        'p50',
        'p90',
        'p99',
        'p99.9',
        'max',
        'errors',
        'dropped',
        'server p50',
        'server p99',
      ],
      rows,
    ),
  ].join('\n\n');
}

function stages(s: BenchSummary): string {
  const rows: string[][] = [];
  for (const run of s.runs.filter(
    (r): r is BenchRun & { server: NonNullable<BenchRun['server']> } => r.server !== null,
  )) {
    for (const series of run.server.series.filter((x) => x.name.startsWith('fanout.'))) {
      rows.push([
        run.scenario,
        run.strategy,
        series.name.slice('fanout.'.length),
        series.labels.detail ?? '',
        count(series.count),
        ms(series.p50Ms),
        ms(series.p99Ms),
        ms(series.maxMs),
      ]);
    }
  }
  if (rows.length === 0) return '';
  return [
    '## Worker stages',
    '`plan`: an event turned into batch jobs; `batch`: one batch job (followers read + mailbox write); `batch_write`: ' +
      'the mailbox write alone; `job_wait`: time in the queue before a worker took the job; `delivery_lag`: post ' +
      'committed → last mailbox written; `rebuild`: one mailbox rebuilt from PostgreSQL.',
    table(['scenario', 'strategy', 'stage', 'detail', 'count', 'p50 ms', 'p99 ms', 'max ms'], rows),
  ].join('\n\n');
}

function setup(s: BenchSummary): string {
  const g = s.graph;
  const f = g.followers;
  return [
    '## Setup',
    table(
      ['', ''],
      [
        [
          'machine',
          `${s.machine.cores} cores, ${s.machine.cpuModel}, ${s.machine.memoryGiB} GiB, ${s.machine.os}; load average at start ${s.machine.loadAverageAtStart.join(' ')}`,
        ],
        ['software', `Node ${s.machine.node}, PostgreSQL ${s.machine.postgres}, Redis ${s.machine.redis}`],
        ['graph', `${JSON.stringify(g.params)}${g.reused ? ' (reused)' : ''}`],
        [
          'followers',
          f
            ? `p50 ${f.p50}, p99 ${f.p99}, max ${count(f.max)}; ${g.celebrities} celebrities (>= ${g.params.celebrityThreshold})`
            : `${g.celebrities} celebrities`,
        ],
        ['seeding', g.seedSeconds === null ? 'reused' : `${g.seedSeconds.toFixed(1)} s (COPY)`],
        ['mailboxes built', `${g.warmSeconds.toFixed(1)} s through the product's rebuild path`],
        ['command', `\`${s.command}\``],
      ],
    ),
    s.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}
