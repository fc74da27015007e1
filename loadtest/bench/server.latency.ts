import { addSeries, type LatencySummary, SERIES, type SeriesView, summarize } from '#libs/contract';
import type { BenchRun } from './bench.summary.js';

// The server's own latency as the bench recorded it per ladder step; shared by the goals and the report, so both
// read the same figure.

/** Series added into one histogram (the same route over several API processes) and summarized. */
export function added(series: readonly SeriesView[]): LatencySummary {
  const sum = addSeries([series.map((s) => ({ name: 'x', labels: {}, histogram: s.histogram }))]);
  return summarize([...sum.values()][0]!.histogram);
}

/** The server's own latency for the run's main route at a step (added over API processes); null without figures. */
export function serverStat(run: BenchRun, step: number, endpoint: 'timeline' | 'post'): LatencySummary | null {
  const [method, route] = endpoint === 'timeline' ? ['GET', '/v1/me/timeline'] : ['POST', '/v1/posts'];
  const series = run.serverSteps
    .find((s) => s.step === step)
    ?.series.filter((s) => s.name === SERIES.httpRequest && s.labels.route === route && s.labels.method === method);
  return series && series.length ? added(series) : null;
}
