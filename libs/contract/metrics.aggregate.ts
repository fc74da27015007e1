import {
  addCounters,
  addSeries,
  encodeHistogram,
  subtractCounters,
  subtractSeries,
  summarize,
  type CounterSeries,
  type LatencySummary,
  type Labels,
} from './histogram.math.js';
import type { ProcessInfo, ProcessSnapshot } from './metrics.series.js';

export interface SeriesView extends LatencySummary {
  name: string;
  labels: Labels;
  /** The series added over every process, encoded (µs). */
  histogram: string;
}

export interface MetricsView {
  processes: (ProcessInfo & { takenAt: string })[];
  series: SeriesView[];
  counters: CounterSeries[];
}

/** Adds every process's series into one view (histograms added, never percentiles averaged). */
export function combine(snapshots: readonly ProcessSnapshot[]): MetricsView {
  const added = addSeries(snapshots.map((s) => s.histograms));
  const series = [...added.values()]
    .map((s) => ({
      name: s.name,
      labels: s.labels,
      ...summarize(s.histogram),
      histogram: encodeHistogram(s.histogram),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  return {
    processes: snapshots.map((s) => ({ ...s.process, takenAt: s.takenAt })),
    series,
    counters: addCounters(snapshots.map((s) => s.counters)),
  };
}

/**
 * What every process recorded between two collections: per process, after − before. A process that started in
 * between counts from zero; one that stopped contributes what it published last.
 */
export function between(before: readonly ProcessSnapshot[], after: readonly ProcessSnapshot[]): ProcessSnapshot[] {
  const earlier = new Map(before.map((s) => [s.process.id, s]));
  return after.map((s) => {
    const was = earlier.get(s.process.id);
    if (!was) return s;
    return {
      ...s,
      histograms: subtractSeries(s.histograms, was.histograms),
      counters: subtractCounters(s.counters, was.counters),
    };
  });
}
