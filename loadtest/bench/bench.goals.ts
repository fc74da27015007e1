import { addSeries, SERIES, summarize } from '#libs/contract';
import { LADDER_ENDED, type BenchRun, type FanoutThroughput, type Goal } from './bench.summary.js';

// The performance goals of the load-suite issue, evaluated on one bench run. They are figures to report, not tests:
// a goal the run did not measure is null, never passed.

const find = (runs: readonly BenchRun[], scenario: string, strategy: string, target: 'api' | 'ceiling' = 'api') =>
  runs.find((r) => r.scenario === scenario && r.strategy === strategy && r.target === target);

const stepAt = (run: BenchRun | undefined, rate: number) => run?.client.steps.find((s) => s.targetRate === rate);

const endpointP99 = (run: BenchRun | undefined, rate: number, endpoint: string) =>
  stepAt(run, rate)?.tags.find((t) => t.endpoint === endpoint)?.p99Ms ?? null;

const perSec = (n: number | null) => (n === null ? 'none' : `${n.toLocaleString('en-US')}/s`);

/** A capacity, with the throughput sustained whatever the latency and the p99 there, for context. */
function capacityText(run: BenchRun): string {
  const { rate, sustained } = run.capacity;
  const p99 = sustained === null ? null : endpointP99(run, sustained, 'timeline');
  return `${perSec(rate)} (sustained ${perSec(sustained)}${p99 === null ? '' : `, p99 ${p99} ms there`})`;
}

/** The sustained rates (see Capacity.sustained) compared too: with both capacities null they still say how close. */
function sustainedRatio(push: BenchRun, ceiling: BenchRun): string {
  const a = push.capacity.sustained;
  const b = ceiling.capacity.sustained;
  if (a === null || !b) return '';
  return `; sustained ${perSec(a)} / ${perSec(b)} = ${(a / b).toFixed(2)}x`;
}

/** The highest ladder rate both runs were offered and sustained (under 1 % dropped or failed). */
function lastSustainedRate(a: BenchRun | undefined, b: BenchRun | undefined): number | null {
  if (!a || !b) return null;
  const sustained = (run: BenchRun, rate: number) => run.capacity.sustained !== null && rate <= run.capacity.sustained;
  const rates = a.client.steps.map((s) => s.targetRate).sort((x, y) => y - x);
  return rates.find((r) => stepAt(b, r) !== undefined && sustained(a, r) && sustained(b, r)) ?? null;
}

export function evaluateGoals(runs: readonly BenchRun[], fanout: FanoutThroughput | null): Goal[] {
  const pushRead = find(runs, 'read', 'push');
  const ceiling = find(runs, 'read', 'push', 'ceiling');
  const hybridRead = find(runs, 'read', 'hybrid');
  const pullRead = find(runs, 'read', 'pull');
  const pushCapacity = pushRead?.capacity.rate ?? null;
  const ceilingCapacity = ceiling?.capacity.rate ?? null;
  const goals: Goal[] = [];

  goals.push({
    id: 'push-read-capacity',
    description: 'Push read capacity (p99 <= 50 ms, < 1 % dropped)',
    target: '>= 3,000/s',
    measured: pushRead ? capacityText(pushRead) : 'not run',
    ok: pushRead ? (pushCapacity ?? 0) >= 3000 : null,
  });

  const ratio = pushCapacity !== null && ceilingCapacity ? pushCapacity / ceilingCapacity : null;
  // A ceiling that never reached its limit is only a lower bound: the ratio then proves nothing either way.
  const ceilingReached = ceiling !== undefined && ceiling.capacity.limitedBy !== LADDER_ENDED;
  goals.push({
    id: 'push-read-vs-ceiling',
    description: 'Push read capacity against the bare node:http + ioredis ceiling in the same run',
    target: '>= 0.7x',
    measured:
      pushRead && ceiling
        ? `${perSec(pushCapacity)} / ${perSec(ceilingCapacity)} = ${ratio === null ? 'n/a' : `${ratio.toFixed(2)}x`}` +
          (ceilingReached ? '' : ' (the ceiling never reached its limit)') +
          sustainedRatio(pushRead, ceiling)
        : 'not run',
    // Without a ceiling capacity there is nothing to hold push against: the sustained ratio is context only.
    ok: pushRead && ceiling && ceilingReached && ceilingCapacity !== null ? ratio !== null && ratio >= 0.7 : null,
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
        ? `${hybridP99} ms vs ${pushP99} ms at ${rate}/s = ${(hybridP99 / pushP99).toFixed(2)}x`
        : 'not measured',
    ok: pushP99 !== null && hybridP99 !== null ? hybridP99 <= 1.5 * pushP99 : null,
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

  goals.push({
    id: 'fanout-throughput',
    description: 'Fan-out throughput draining a backlog by well-followed authors',
    target: '>= 150,000 mailbox writes/s',
    measured: fanout
      ? `${perSec(fanout.writesPerSec)} (ZADD -P 64: ${perSec(fanout.zaddPerSec)}, ratio ${fanout.ratioToZadd ?? 'n/a'})`
      : 'not run',
    ok: fanout ? fanout.writesPerSec >= 150_000 : null,
  });

  for (const strategy of ['push', 'hybrid'] as const) {
    const run = find(runs, 'mixed', strategy);
    const lag = run?.server?.series.filter(
      (s) => s.name === SERIES.stage('delivery_lag') && s.labels.detail !== '10k+',
    );
    const added =
      lag && lag.length
        ? summarize([...addSeries([lag.map((s) => ({ ...s, labels: {} }))]).values()][0]!.histogram)
        : null;
    goals.push({
      id: `delivery-lag-${strategy}`,
      description: `Delivery lag p99 for authors with <= 10k followers, mixed scenario, ${strategy}`,
      target: '<= 1 s',
      measured: added ? `${added.p99Ms} ms over ${added.count} posts` : run ? 'no posts fanned out' : 'not run',
      ok: added ? (added.p99Ms ?? Infinity) <= 1000 : null,
    });
  }
  return goals;
}
