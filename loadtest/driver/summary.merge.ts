import { decodeHistogram, newLatencyHistogram } from '#libs/contract';
import { buildSummary, followingRecord, newStepRecord, tagRecord, type RunSummary } from './summary.js';

/**
 * Adds summaries of the same scenario run by several driver processes at once (each at its share of the rate):
 * histograms are decoded and added, counts summed. Dispatch lag is the worst process's (it has no histogram).
 */
export function mergeSummaries(parts: readonly RunSummary[]): RunSummary {
  if (parts.length === 0) throw new Error('nothing to merge');
  const [first] = parts;
  for (const p of parts) {
    if (p.scenario !== first.scenario || p.strategy !== first.strategy || p.steps.length !== first.steps.length) {
      throw new Error(
        `cannot merge ${p.scenario}/${p.strategy} (${p.steps.length} steps) into ${first.scenario}/${first.strategy}`,
      );
    }
    if (p.total.histogram === null) throw new Error(`${p.tool} summaries carry no histograms and cannot be added`);
  }
  const decode = (s: string | null) => (s === null ? newLatencyHistogram() : decodeHistogram(s));
  const records = first.steps.map((s, i) => {
    const r = newStepRecord(s.step, 0, s.durationSeconds);
    let lagP99 = 0;
    let lagMax = 0;
    for (const p of parts) {
      const step = p.steps[i];
      r.targetRate += step.targetRate;
      r.scheduled += step.scheduled ?? 0;
      r.sent += step.sent ?? 0;
      lagP99 = Math.max(lagP99, step.dispatchLagP99Ms ?? 0);
      lagMax = Math.max(lagMax, step.dispatchLagMaxMs ?? 0);
      for (const t of step.tags) {
        const into = tagRecord(r, t.endpoint, t.strategy);
        into.latency.add(decode(t.histogram));
        into.errors += t.errors;
        into.dropped += t.dropped ?? 0;
      }
      for (const f of step.byFollowing ?? []) followingRecord(r, f.following).add(decode(f.histogram));
    }
    return { r, lagP99, lagMax };
  });
  const summary = buildSummary(
    {
      tool: first.tool,
      scenario: first.scenario,
      strategy: first.strategy,
      baseUrl: first.baseUrl,
      config: {
        ...first.config,
        rates: records.map(({ r }) => r.targetRate),
        maxInFlight: parts.reduce((n, p) => n + p.config.maxInFlight, 0),
      },
      startedAt: parts.map((p) => p.startedAt).sort()[0],
      finishedAt: parts
        .map((p) => p.finishedAt)
        .sort()
        .at(-1)!,
      notes: [...first.notes, `merged from ${parts.length} processes`],
      p99Ms: first.thresholds[0]?.limitMs ?? Infinity,
    },
    records.map(({ r }) => r),
  );
  summary.steps.forEach((s, i) => {
    s.dispatchLagP99Ms = records[i].lagP99;
    s.dispatchLagMaxMs = records[i].lagMax;
  });
  return summary;
}
