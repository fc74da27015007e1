import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

// Latency series kept as HDR histograms in microseconds, so several processes' (or several runs') histograms can be
// added, or subtracted to get an interval, without ever averaging percentiles. One set of these helpers serves the
// product's recorders (libs/metrics), the load driver, the bench, the report and the tests, so every figure any of
// them prints is computed the same way.

export type Labels = Readonly<Record<string, string>>;

export interface EncodedSeries {
  name: string;
  labels: Labels;
  /** hdr-histogram-js encodeIntoCompressedBase64, values in microseconds. */
  histogram: string;
}

export interface CounterSeries {
  name: string;
  labels: Labels;
  value: number;
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

/** 1 µs to 1 h at 3 significant digits (0.1 % error); auto-resize so a pathological value never throws. */
export function newLatencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = decodeFromCompressedBase64(encoded);
  const histogram = newLatencyHistogram();
  histogram.add(decoded);
  return histogram;
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/** `name{a="1",b="2"}` with labels sorted: one key per series whatever the order labels were given in. */
export function seriesKey(name: string, labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

const ms = (us: number) => Math.round(us) / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50Ms: null, p90Ms: null, p99Ms: null, p999Ms: null, maxMs: null };
  // A percentile is the top of its HDR bucket and may pass the exact max by < 0.1 %: cap it so p99.9 <= max.
  const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
  return { count: h.totalCount, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), p999Ms: at(99.9), maxMs: ms(h.maxValue) };
}

/** A series decoded into a histogram, for adding or reading percentiles. */
export interface DecodedSeries {
  name: string;
  labels: Labels;
  histogram: Histogram;
}

/** Adds series with the same name and labels (several processes, several runs). */
export function addSeries(lists: readonly (readonly EncodedSeries[])[]): Map<string, DecodedSeries> {
  const out = new Map<string, DecodedSeries>();
  for (const list of lists) {
    for (const s of list) {
      const key = seriesKey(s.name, s.labels);
      const into = out.get(key) ?? { name: s.name, labels: s.labels, histogram: newLatencyHistogram() };
      into.histogram.add(decodeHistogram(s.histogram));
      out.set(key, into);
    }
  }
  return out;
}

/**
 * What was recorded between two cumulative snapshots of one process: after − before, series by series. A series
 * absent before counts from zero.
 */
export function subtractSeries(after: readonly EncodedSeries[], before: readonly EncodedSeries[]): EncodedSeries[] {
  const earlier = new Map(before.map((s) => [seriesKey(s.name, s.labels), s.histogram]));
  return after.flatMap((s) => {
    const h = decodeHistogram(s.histogram);
    const was = earlier.get(seriesKey(s.name, s.labels));
    if (was) h.subtract(decodeHistogram(was));
    return h.totalCount > 0 ? [{ name: s.name, labels: s.labels, histogram: encodeHistogram(h) }] : [];
  });
}

/** The sum of a counter's series, over every `detail` or only one. */
export function counterTotal(counters: readonly CounterSeries[], name: string, detail?: string): number {
  return counters
    .filter((c) => c.name === name && (detail === undefined || c.labels.detail === detail))
    .reduce((sum, c) => sum + c.value, 0);
}

export function addCounters(lists: readonly (readonly CounterSeries[])[]): CounterSeries[] {
  const out = new Map<string, CounterSeries>();
  for (const list of lists) {
    for (const c of list) {
      const key = seriesKey(c.name, c.labels);
      const into = out.get(key);
      if (into) into.value += c.value;
      else out.set(key, { ...c });
    }
  }
  return [...out.values()];
}

export function subtractCounters(after: readonly CounterSeries[], before: readonly CounterSeries[]): CounterSeries[] {
  const earlier = new Map(before.map((c) => [seriesKey(c.name, c.labels), c.value]));
  return after
    .map((c) => ({ ...c, value: c.value - (earlier.get(seriesKey(c.name, c.labels)) ?? 0) }))
    .filter((c) => c.value !== 0);
}
