import { SERIES } from '#libs/contract';
import {
  capacityText as capacityWords,
  LADDER_ENDED,
  sustainedText,
  type BenchRun,
  type BenchSummary,
  type Goal,
} from './bench.summary.js';
import { added, serverStat } from './server.latency.js';

// The performance goals of the load-suite and mailbox issues, evaluated on one bench run. They are figures to report,
// not tests: a goal the run did not measure is null, never passed.

/** What the goals are evaluated from: stored summaries are evaluated again (report.cli.ts). */
export type Measurements = Pick<BenchSummary, 'runs' | 'fanout'> & { memory?: BenchSummary['memory'] };

/** A main run (never a variant's repeat). */
const find = (runs: readonly BenchRun[], scenario: string, strategy: string, target: 'api' | 'ceiling' = 'api') =>
  runs.find((r) => r.scenario === scenario && r.strategy === strategy && r.target === target && !r.variant);

const stepAt = (run: BenchRun | undefined, rate: number) => run?.client.steps.find((s) => s.targetRate === rate);

const endpointP99 = (run: BenchRun | undefined, rate: number, endpoint: string) =>
  stepAt(run, rate)?.tags.find((t) => t.endpoint === endpoint)?.p99Ms ?? null;

const perSec = (n: number) => `${n.toLocaleString('en-US')}/s`;
const times = (ratio: number) => `${ratio.toFixed(2)}x`;
/** "no step of push's ladder met the limit", or "… of push's or the ceiling's ladders …". */
const noStepMetBy = (who: string[]) =>
  `no step of ${who.map((w) => `${w}'s`).join(' or ')} ladder${who.length > 1 ? 's' : ''} met the limit`;

/** A capacity, with the throughput sustained whatever the latency and the p99 there, for context. */
function capacityText(run: BenchRun): string {
  const { rate, sustained } = run.capacity;
  const p99 = sustained === null ? null : endpointP99(run, sustained, 'timeline');
  return `${capacityWords({ rate })} (sustained ${sustainedText(sustained)}${p99 === null ? '' : `, p99 ${p99} ms there`})`;
}

/**
 * Run a's capacity against run b's, held to `target`. A ladder that ended before any limit gives only a lower bound,
 * so the ratio is judged only where that bound cannot change the verdict (a bound on a can only raise the ratio, one
 * on b only lower it). With either capacity none, the sustained rates are compared instead, as context, unjudged.
 */
export function capacityRatio(a: BenchRun, b: BenchRun, names: [string, string], target: number) {
  const [x, y] = [a.capacity.rate, b.capacity.rate];
  const [sa, sb] = [a.capacity.sustained, b.capacity.sustained];
  const sustained = `${sustainedText(sa)} / ${sustainedText(sb)}${sa !== null && sb ? ` = ${times(sa / sb)}` : ''}`;
  if (x === null || y === null) {
    const none = names.filter((_, i) => [x, y][i] === null);
    return { measured: `no ratio: ${noStepMetBy(none)}; sustained rates ${sustained}`, ok: null };
  }
  const ratio = x / y;
  const bounds = [a, b].flatMap((run, i) =>
    run.capacity.limitedBy === LADDER_ENDED ? [`${names[i]} never reached its limit`] : [],
  );
  const exact = (run: BenchRun) => run.capacity.limitedBy !== LADDER_ENDED;
  const ok = ratio >= target ? (exact(b) ? true : null) : exact(a) ? false : null;
  const note = bounds.length ? ` (${bounds.join('; ')})` : '';
  return { measured: `${perSec(x)} / ${perSec(y)} = ${times(ratio)}${note}; sustained ${sustained}`, ok };
}

/** The highest ladder rate both runs were offered and sustained (under 1 % dropped or failed). */
function lastSustainedRate(a: BenchRun | undefined, b: BenchRun | undefined): number | null {
  if (!a || !b) return null;
  const sustained = (run: BenchRun, rate: number) => run.capacity.sustained !== null && rate <= run.capacity.sustained;
  const rates = a.client.steps.map((s) => s.targetRate).sort((x, y) => y - x);
  return rates.find((r) => stepAt(b, r) !== undefined && sustained(a, r) && sustained(b, r)) ?? null;
}

/**
 * Hybrid's per-read server p50 with many more authors in pull mode (the --celebrity-variant run) against the main
 * hybrid run's, at the lowest rate both were offered: the least queueing, so the figure is the read's own work.
 */
export function manyCelebrities(runs: readonly BenchRun[]) {
  const main = find(runs, 'read', 'hybrid');
  const variant = runs.find((r) => r.scenario === 'read' && r.strategy === 'hybrid' && r.target === 'api' && r.variant);
  if (!main || !variant) return null;
  const rate = main.client.steps
    .map((s) => s.targetRate)
    .filter((r) => stepAt(variant, r))
    .sort((x, y) => x - y)[0];
  const p50 = (run: BenchRun) => {
    const step = rate === undefined ? undefined : stepAt(run, rate);
    return step ? (serverStat(run, step.step, 'timeline')?.p50Ms ?? null) : null;
  };
  return { main, variant, rate: rate ?? null, mainP50: p50(main), variantP50: p50(variant) };
}

export function evaluateGoals({ runs, fanout, memory }: Measurements): Goal[] {
  const pushRead = find(runs, 'read', 'push');
  const ceiling = find(runs, 'read', 'push', 'ceiling');
  const hybridRead = find(runs, 'read', 'hybrid');
  const pullRead = find(runs, 'read', 'pull');
  const pushCapacity = pushRead?.capacity.rate ?? null;
  const goals: Goal[] = [];

  goals.push({
    id: 'push-read-capacity',
    description: 'Push read capacity (p99 <= 50 ms, < 1 % dropped)',
    target: '>= 3,000/s',
    measured: pushRead ? capacityText(pushRead) : 'not run',
    ok: pushRead ? (pushCapacity ?? 0) >= 3000 : null,
  });

  const vsCeiling = pushRead && ceiling ? capacityRatio(pushRead, ceiling, ['push', 'the ceiling'], 0.9) : null;
  goals.push({
    id: 'push-read-vs-ceiling',
    description: 'Push read capacity against the bare node:http + ioredis ceiling in the same run',
    target: '>= 0.9x',
    measured: vsCeiling?.measured ?? 'not run',
    ok: vsCeiling?.ok ?? null,
  });

  const vsPush = hybridRead && pushRead ? capacityRatio(hybridRead, pushRead, ['hybrid', 'push'], 0.8) : null;
  goals.push({
    id: 'hybrid-vs-push-read-capacity',
    description: "Hybrid read capacity against push's in the same run",
    target: '>= 0.8x',
    measured: vsPush?.measured ?? 'not run',
    ok: vsPush?.ok ?? null,
  });

  // Compared at push's capacity; when push has none (a tail above the limit from the first step), at the highest
  // step both kept up with: the same load for both, and the hardest one, as push's capacity would have been.
  const rate = pushCapacity ?? lastSustainedRate(pushRead, hybridRead);
  const pushP99 = rate === null ? null : endpointP99(pushRead, rate, 'timeline');
  const hybridP99 = rate === null ? null : endpointP99(hybridRead, rate, 'timeline');
  goals.push({
    id: 'hybrid-read-p99',
    description:
      "Hybrid read p99 against push's at the same rate (push's capacity, else the highest step both sustained)",
    target: '<= 1.5x',
    measured:
      pushP99 !== null && hybridP99 !== null
        ? `${hybridP99} ms vs ${pushP99} ms at ${rate}/s = ${times(hybridP99 / pushP99)}`
        : 'not measured',
    ok: pushP99 !== null && hybridP99 !== null ? hybridP99 <= 1.5 * pushP99 : null,
  });

  const many = manyCelebrities(runs);
  const authors = (run: BenchRun) =>
    run.pullMode ? ` (threshold ${run.pullMode.celebrityThreshold}, ${run.pullMode.authors} authors in pull mode)` : '';
  const measuredMany = many && many.mainP50 !== null && many.variantP50 !== null;
  goals.push({
    id: 'hybrid-many-celebrities',
    description:
      'Hybrid per-read server p50 with ~10x the celebrities (--celebrity-variant) against the main run, at their lowest common rate',
    target: '<= 1.2x',
    measured: !many
      ? 'not run'
      : measuredMany
        ? `${many.variantP50} ms${authors(many.variant)} vs ${many.mainP50} ms${authors(many.main)} ` +
          `at ${many.rate}/s = ${times(many.variantP50! / many.mainP50!)}`
        : 'no server figures at a common step',
    ok: measuredMany ? many.variantP50! <= 1.2 * many.mainP50! : null,
  });

  goals.push({
    id: 'pull-read-capacity',
    description: 'Pull read capacity',
    target: '>= 1,000/s',
    measured: pullRead ? capacityText(pullRead) : 'not run',
    ok: pullRead ? (pullRead.capacity.rate ?? 0) >= 1000 : null,
  });

  for (const strategy of ['push', 'hybrid'] as const) {
    const p99 = endpointP99(find(runs, 'write', strategy), 200, 'post');
    goals.push({
      id: `write-p99-${strategy}`,
      description: `POST /v1/posts p99 at 200 posts/s under ${strategy}, while fan-out runs`,
      target: '<= 20 ms',
      measured: p99 === null ? 'no 200/s step' : `${p99} ms`,
      ok: p99 === null ? null : p99 <= 20,
    });
  }

  // Judged on the ratio: the ZADD limit is this Redis on this machine at this moment, measured just before and just
  // after the drain (their mean; one run before it in older summaries).
  // On a cluster it is one master's, against the writes per master.
  const masters = fanout?.masters ?? 1;
  const perRedis = fanout ? fanout.writesPerSec / masters : 0;
  const zaddRatio = fanout?.zaddPerSec ? perRedis / fanout.zaddPerSec : null;
  goals.push({
    id: 'fanout-throughput',
    description: 'Fan-out throughput draining a backlog by well-followed authors, against the same-run ZADD limit',
    target: '>= 0.4x redis-benchmark ZADD -P 64',
    measured: !fanout
      ? 'not run'
      : `${perSec(Math.round(perRedis))} mailbox writes${masters > 1 ? ` per master (${masters})` : ''} / ZADD -P 64 ` +
        `${fanout.zaddPerSec === null ? 'not measured' : perSec(fanout.zaddPerSec)}` +
        (zaddRatio === null ? ' (redis-benchmark missing: no ratio)' : ` = ${times(zaddRatio)}`),
    ok: zaddRatio === null ? null : zaddRatio >= 0.4,
  });

  const bytes = memory?.bytesPerMailboxEntry ?? null;
  goals.push({
    id: 'mailbox-bytes-per-entry',
    description: 'Redis memory per mailbox entry (MEMORY USAGE over a sample of mailboxes)',
    target: '<= 48 B',
    measured: !memory
      ? 'not measured'
      : bytes === null
        ? 'no mailbox entries in the sample'
        : `${bytes} B (${memory.entriesPerMailbox} entries per mailbox, ${memory.sampledUsers} users sampled)`,
    ok: bytes === null ? null : bytes <= 48,
  });

  for (const strategy of ['push', 'hybrid'] as const) {
    const run = find(runs, 'mixed', strategy);
    const lag = run?.server?.series.filter(
      (s) => s.name === SERIES.stage('delivery_lag') && s.labels.detail !== '10k+',
    );
    const total = lag && lag.length ? added(lag) : null;
    goals.push({
      id: `delivery-lag-${strategy}`,
      description: `Delivery lag p99 for authors with <= 10k followers, mixed scenario, ${strategy}`,
      target: '<= 1 s',
      measured: total ? `${total.p99Ms} ms over ${total.count} posts` : run ? 'no posts fanned out' : 'not run',
      ok: total ? (total.p99Ms ?? Infinity) <= 1000 : null,
    });
  }
  return goals;
}
