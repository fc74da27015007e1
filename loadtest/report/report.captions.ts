import { capacityText, sustainedText, type BenchRun, type FanoutThroughput } from '../bench/bench.summary.js';
import type { ClusterComparison, DeploymentFigures } from '../bench/bench.scaling.js';
import { commonRates, count, type FollowingRow, type LagRow, ms, runLabel, type WritePathRow } from './report.data.js';
import { deploymentLabel, times } from './report.scaling.js';

// The charts' captions, written from the same figures and with the same formatting as the tables of report.md, so a
// caption can only repeat what a table says (report.captions.spec.ts holds every caption against the tables).

const perSec = (rate: number) => `${count(rate)}/s`;

/** "hybrid 420/s; push no step met the limit": each run's cell of the Capacity table. */
export const capacityClaims = (runs: readonly BenchRun[]) =>
  runs.map((run) => `${runLabel(run)} ${capacityText(run.capacity)}`).join('; ');

export function ladderCaption(runs: readonly BenchRun[]): string {
  return (
    `Capacity (p99 within ${runs[0]!.capacity.p99LimitMs} ms, under 1 % dropped or failed): ${capacityClaims(runs)}. ` +
    "Open model: latency from each request's scheduled send time, so a saturated server shows as rising latency " +
    '(and dropped requests) rather than a lower rate. Solid: p99; dashed: p50.'
  );
}

export interface SpectrumChoice {
  rate: number;
  /** Runs whose capacity reaches the rate: the step at that rate met their limit. */
  within: BenchRun[];
  outside: BenchRun[];
}

/**
 * The rate for side-by-side percentile spectra: the highest every run met its limit at, or, when there is none, the
 * lowest rate of the ladders (the caption then says which runs missed their limit there).
 */
export function spectrumChoice(runs: readonly BenchRun[]): SpectrumChoice | null {
  const rates = commonRates(runs);
  const meets = (run: BenchRun, rate: number) => run.capacity.rate !== null && run.capacity.rate >= rate;
  const rate = rates.filter((r) => runs.every((run) => meets(run, r))).at(-1) ?? rates[0];
  if (rate === undefined) return null;
  return { rate, within: runs.filter((r) => meets(r, rate)), outside: runs.filter((r) => !meets(r, rate)) };
}

export function spectrumCaption({ rate, outside }: SpectrumChoice): string {
  const head = `Every percentile, not just p50 and p99, at ${perSec(rate)}`;
  if (outside.length === 0) return `${head}: the highest rate at which every run met its limit.`;
  return (
    `${head}, the lowest rate of the ladders, where not every run met its limit (capacity ` +
    `${capacityClaims(outside)}): the spectra compare the strategies under the same load, not within their limits.`
  );
}

export function achievedCaption(runs: readonly BenchRun[]): string {
  const facts = runs.map((run) => {
    const kept = `${runLabel(run)} sustained ${sustainedText(run.capacity.sustained)}`;
    const steps = [...run.client.steps].sort((a, b) => a.targetRate - b.targetRate);
    const fell = steps.find((s) => run.capacity.sustained === null || s.targetRate > run.capacity.sustained);
    if (!fell) return kept;
    return (
      `${kept}, then ${count(Math.round(fell.total.ratePerSec))}/s achieved of ${perSec(fell.targetRate)} ` +
      `offered (${count(fell.total.dropped)} dropped, ${count(fell.total.errors)} errors)`
    );
  });
  return (
    `Requests completed per second against the rate offered; the dashed diagonal is keeping up. ${facts.join('; ')}. ` +
    'Sustained: every step up to that rate under 1 % dropped or failed, whatever its latency.'
  );
}

export function followingCaption(rate: number, rows: readonly FollowingRow[]): string {
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const facts = strategies.map((strategy) => {
    const own = rows.filter((r) => r.strategy === strategy);
    const [first, last] = [own[0]!, own.at(-1)!];
    return own.length === 1
      ? `${strategy} ${ms(first.p50Ms)} ms (${first.following})`
      : `${strategy} ${ms(first.p50Ms)} ms (${first.following}) to ${ms(last.p50Ms)} ms (${last.following})`;
  });
  return (
    'The case study predicts that pull costs more the more accounts a reader follows, push the same whatever the ' +
    `count, hybrid in between. Measured p50 at ${perSec(rate)}, fewest to most accounts followed: ${facts.join('; ')}.`
  );
}

export function lagCaption(rows: readonly LagRow[]): string {
  const facts = rows.map((r) => `${r.followers} followers ${ms(r.p99Ms)} ms over ${count(r.count)} posts`);
  return (
    "The case study predicts push pays at write time in proportion to the author's followers. Measured delivery " +
    `lag p99 (${rows[0]!.scenario}, ${rows[0]!.strategy}): ${facts.join('; ')}.`
  );
}

export function writesCaption(rows: readonly WritePathRow[]): string {
  const facts = rows.map(
    (r) =>
      `${r.strategy} ${count(r.mailboxWrites)} mailbox writes for ${count(r.posts)} posts ` +
      `(${count(r.pushed)} fanned out, ${count(r.pulled)} left to read time)`,
  );
  return `The largest accounts post while their followers read: ${facts.join('; ')}.`;
}

/** When the ZADD limit was measured: just before the drain (older runs), or the mean of before and after. */
export function zaddWhen(f: FanoutThroughput): string {
  const around = f.zaddAround;
  if (!around) return 'just before';
  const each = (x: number | null) => (x === null ? 'not measured' : perSec(x));
  return `the mean of just before (${each(around.before)}) and just after (${each(around.after)})`;
}

export function throughputCaption(f: FanoutThroughput): string {
  const zadd = f.zaddPerSec === null ? 'not measured' : perSec(f.zaddPerSec);
  return (
    `The workers drained ${count(f.writes)} mailbox writes at ${perSec(f.writesPerSec)}; redis-benchmark ` +
    `ZADD -P 64 on ${f.zaddOn ?? 'the same Redis'} ${zaddWhen(f)}: ${zadd}` +
    (f.ratioToZadd === null
      ? '.'
      : `, so the fan-out reached ${f.ratioToZadd.toFixed(2)}x of that limit${(f.masters ?? 1) > 1 ? ' per master' : ''}.`)
  );
}

/** The Scaling chart: each deployment's drain, in all and per master, and its ZADD limit on one Redis. */
export function scalingCaption(figures: readonly DeploymentFigures[], comparison: ClusterComparison | null): string {
  const facts = figures.map(
    (f) =>
      `${deploymentLabel(f.shape)} ${perSecOrDash(f.writesPerSec)} (${perSecOrDash(f.writesPerSecPerMaster)} per ` +
      `master; ZADD -P 64 on one Redis ${perSecOrDash(f.zaddPerSec)})`,
  );
  return (
    `Mailbox writes per second draining the same backlog: ${facts.join('; ')}.` +
    (comparison ? ` Cluster / one Redis: ${times(comparison.writes)}.` : '')
  );
}

const perSecOrDash = (v: number | null) => (v === null ? 'not measured' : perSec(v));
