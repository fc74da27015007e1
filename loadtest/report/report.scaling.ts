import {
  clusterComparison,
  deploymentRuns,
  figuresOf,
  pushRead,
  type DeploymentFigures,
  type ClusterComparison,
} from '../bench/bench.scaling.js';
import type { DeploymentShape } from '../bench/bench.deployment.js';
import { capacityText, sustainedText, type BenchSummary } from '../bench/bench.summary.js';
import { scalingCaption } from './report.captions.js';
import { figure } from './report.charts.js';
import { count, ms, runLabel, tagOf } from './report.data.js';
import { table } from './report.table.js';
import { barChart } from './svg.chart.js';

// The Scaling section (--redis-cluster, --compare-cluster, --apis, --workers): each deployment's shape, its totals
// and its figures per master and per process, and the cluster against one Redis on the same work.

/** "one Redis" or "cluster, 3 masters": a deployment's name in every table, chart and caption. */
export const deploymentLabel = (shape: DeploymentShape) =>
  shape.redis === 'single' ? 'one Redis' : `cluster, ${shape.masters} masters`;

export const times = (ratio: number | null) => (ratio === null ? 'no ratio' : `${ratio.toFixed(2)}x`);
const perSec = (v: number | null) => (v === null ? '–' : `${count(v)}/s`);

export function scaling(s: BenchSummary): string {
  const sc = s.scaling;
  if (!sc) return '';
  const figures = figuresOf(s, sc);
  const comparison = clusterComparison(figures);
  return [
    '## Scaling',
    'The deployments this run measured. The load generator, every API and worker process, PostgreSQL and every ' +
      'Redis (a local cluster included, replicas too) share the same cores, so more of them cannot add throughput ' +
      'here: what carries over to bigger machines is the figures per Redis (per master, and per second of its CPU) ' +
      'and per process, and what a cluster costs against one Redis on the same work.',
    table(
      ['deployment', 'Redis', 'REDIS_SHARDS', 'API processes', 'worker processes'],
      sc.deployments.map(({ shape }) => [
        deploymentLabel(shape),
        shape.redis === 'single'
          ? 'the Redis of --redis-url'
          : `${shape.masters} masters, ${shape.replicasPerMaster} replica(s) each, local`,
        count(shape.shards),
        count(shape.apis),
        count(shape.workers),
      ]),
    ),
    comparison ? comparisonText(comparison) : '',
    fanoutTables(s, figures),
    readTables(s, figures),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function comparisonText(c: ClusterComparison): string {
  const [one, cl] = [c.single, c.cluster];
  const read = (f: DeploymentFigures) => capacityText({ rate: f.pushRead?.rate ?? null });
  return (
    `**${deploymentLabel(cl.shape)} against one Redis, the same work:** fan-out ${perSec(cl.writesPerSec)} against ` +
    `${perSec(one.writesPerSec)}, **${times(c.writes)}**; push read capacity ${read(cl)} against ${read(one)}, ` +
    `**${times(c.readCapacity)}** (sustained ${times(c.readSustained)}); Redis CPU per mailbox write, all masters, ` +
    `${ms(cl.cpuMicrosPerWrite)} µs against ${ms(one.cpuMicrosPerWrite)} µs, **${times(c.cpuPerWrite)}**.`
  );
}

function fanoutTables(s: BenchSummary, figures: readonly DeploymentFigures[]): string {
  const deployments = s.scaling!.deployments;
  if (deployments.every((d) => !d.fanout)) return '';
  const rows = figures.map((f) => [
    deploymentLabel(f.shape),
    perSec(f.writesPerSec),
    perSec(f.writesPerSecPerMaster),
    perSec(f.writesPerSecPerWorker),
    ms(f.cpuMicrosPerWrite),
    perSec(f.writesPerRedisCpuSecond),
    perSec(f.zaddPerSec),
    times(f.ratioToZadd),
  ]);
  const masters: (string | number)[][] = [];
  const workers: (string | number)[][] = [];
  const replicas: string[] = [];
  for (const { shape, fanout } of deployments) {
    for (const m of fanout?.perMaster ?? []) {
      masters.push([
        deploymentLabel(shape),
        m.node,
        count(m.writes),
        perSec(m.writesPerSec),
        ms(m.cpuMicrosPerWrite),
        perSec(m.writesPerCpuSecond),
        m.busy.toFixed(2),
      ]);
    }
    const total = (fanout?.perWorker ?? []).reduce((a, b) => a + b, 0);
    if (shape.workers > 1) {
      fanout?.perWorker?.forEach((w, i) => {
        workers.push([deploymentLabel(shape), `worker ${i + 1}`, count(w), `${Math.round((100 * w) / total)} %`]);
      });
    }
    if (fanout?.replicaCpuMicrosPerWrite != null) {
      replicas.push(`${deploymentLabel(shape)}: ${ms(fanout.replicaCpuMicrosPerWrite)} µs per write`);
    }
  }
  return [
    '### Fan-out backlog drain',
    'The same backlog drained on each deployment (posts by the most followed authors, the queue paused while they ' +
      "were written). Per master and per worker: the total divided by their number. Redis CPU: the masters' main " +
      'threads (INFO cpu), added; a write per second of it is the per-Redis-core figure. redis-benchmark ' +
      '`ZADD -P 64` runs on one Redis (on a cluster, one master, with nothing else running), so the last column is ' +
      'writes per master against it.',
    table(
      [
        'deployment',
        'mailbox writes/s',
        'per master',
        'per worker',
        'Redis CPU µs per write',
        'writes per Redis CPU-second',
        'ZADD -P 64, one Redis',
        'per master / ZADD',
      ],
      rows,
    ),
    masters.length
      ? 'Each master over the drain: its mailbox writes (the RPUSHX calls of the delivery script, INFO commandstats), ' +
        'their rate, its CPU per write, and how much of one core it used.'
      : '',
    masters.length
      ? table(
          [
            'deployment',
            'master',
            'mailbox writes',
            'writes/s',
            'CPU µs per write',
            'writes per CPU-second',
            'cores used',
          ],
          masters,
        )
      : '',
    replicas.length ? `The replicas' CPU over the drain, all added: ${replicas.join('; ')}.` : '',
    workers.length ? table(['deployment', 'worker', 'mailbox writes', 'share'], workers) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function readTables(s: BenchSummary, figures: readonly DeploymentFigures[]): string {
  const sc = s.scaling!;
  const rows = figures
    .filter((f) => f.pushRead)
    .map((f) => [
      deploymentLabel(f.shape),
      count(f.shape.apis),
      capacityText({ rate: f.pushRead!.rate }),
      perSec(f.pushReadPerApi!.rate),
      sustainedText(f.pushRead!.sustained),
      perSec(f.pushReadPerApi!.sustained),
    ]);
  const ladders = sc.deployments.map((d, i) => ({ shape: d.shape, run: pushRead(deploymentRuns(s, sc, i)) }));
  const rates = [...new Set(ladders.flatMap((l) => l.run?.client.steps.map((x) => x.targetRate) ?? []))].sort(
    (a, b) => a - b,
  );
  const ladderRows =
    ladders.length > 1 ? rates.map((rate) => [count(rate), ...ladders.flatMap((l) => cells(l.run, rate))]) : [];
  const others = sc.deployments
    .slice(1)
    .flatMap((d) =>
      d.runs.map((run) => [
        deploymentLabel(d.shape),
        run.scenario,
        runLabel(run),
        capacityText(run.capacity),
        sustainedText(run.capacity.sustained),
        run.invariant ? `${run.invariant.mismatches} of ${run.invariant.users} differ` : '–',
      ]),
    );
  return [
    rows.length ? '### Push read' : '',
    rows.length
      ? "Push's read ladder on each deployment (the product, not the ceiling); per API process: the rate divided by " +
        'their number (the driver sends to them in turn).'
      : '',
    rows.length ? table(['deployment', 'API processes', 'capacity', 'per API', 'sustained', 'per API'], rows) : '',
    ladderRows.length
      ? table(
          [
            'offered/s',
            ...ladders.flatMap((l) =>
              ['achieved/s', 'p50 ms', 'p99 ms'].map((c) => `${deploymentLabel(l.shape)} ${c}`),
            ),
          ],
          ladderRows,
        )
      : '',
    others.length ? "Every run on the other deployments (the Capacity table above is the first one's):" : '',
    others.length ? table(['deployment', 'scenario', 'strategy', 'capacity', 'sustained', 'invariant'], others) : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

function cells(run: ReturnType<typeof pushRead>, rate: number): string[] {
  const step = run?.client.steps.find((x) => x.targetRate === rate);
  if (!step) return ['–', '–', '–'];
  const tag = tagOf(step, 'timeline');
  return [count(Math.round(step.total.ratePerSec)), ms(tag?.p50Ms), ms(tag?.p99Ms)];
}

/** The drain on each deployment, in all and per master, against its ZADD limit on one Redis. */
export function scalingChart(s: BenchSummary): string {
  if (!s.scaling || s.scaling.deployments.every((d) => !d.fanout)) return '';
  const figures = figuresOf(s, s.scaling);
  return figure(
    barChart({
      title: 'Scaling: fan-out drain by deployment',
      categories: figures.map((f) => deploymentLabel(f.shape)),
      y: { label: 'writes per second', scale: 'linear' },
      groups: [
        { name: 'mailbox writes/s', color: '#6a51a3', values: figures.map((f) => f.writesPerSec) },
        { name: 'per master', color: '#9e9ac8', values: figures.map((f) => f.writesPerSecPerMaster) },
        { name: 'ZADD -P 64/s, one Redis', color: '#9aa5ae', values: figures.map((f) => f.zaddPerSec) },
      ],
      valueFormat: (v) => `${count(v)}/s`,
    }),
    scalingCaption(figures, clusterComparison(figures)),
  );
}
