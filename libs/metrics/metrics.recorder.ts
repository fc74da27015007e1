import type { Histogram } from 'hdr-histogram-js';
import {
  encodeHistogram,
  newLatencyHistogram,
  seriesKey,
  type CounterSeries,
  type DecodedSeries,
  type EncodedSeries,
  type Labels,
} from '#libs/contract';

// What a process records into. The arithmetic on recorded series (encoding, adding, intervals) is the contract's
// (libs/contract/histogram.math.ts), shared with the tools that read the measurements.

/** What hot paths keep: recording only, so nothing but new records changes a series and its cached encoding holds. */
export interface LatencyRecorder {
  recordValue(micros: number): void;
}

/** A series with its last encoding, kept until its count moves (encoding takes about a millisecond a series). */
interface OwnSeries extends DecodedSeries {
  encodedAt: number;
  encoded: string;
}

/** A process's latency series. `series()` hands out a recorder so hot paths can keep it and record. */
export class HistogramSet {
  private readonly all = new Map<string, OwnSeries>();

  series(name: string, labels: Labels = {}): LatencyRecorder {
    const key = seriesKey(name, labels);
    let series = this.all.get(key);
    if (!series) {
      series = { name, labels: { ...labels }, histogram: newLatencyHistogram(), encodedAt: -1, encoded: '' };
      this.all.set(key, series);
    }
    return series.histogram;
  }

  record(name: string, labels: Labels, micros: number): void {
    this.series(name, labels).recordValue(Math.max(1, Math.round(micros)));
  }

  /** Only the series recorded into since the last call are encoded again (a process publishes every second). */
  encode(encoder: (h: Histogram) => string = encodeHistogram): EncodedSeries[] {
    return [...this.all.values()]
      .filter((s) => s.histogram.totalCount > 0)
      .map((s) => {
        if (s.encodedAt !== s.histogram.totalCount) {
          s.encoded = encoder(s.histogram);
          s.encodedAt = s.histogram.totalCount;
        }
        return { name: s.name, labels: s.labels, histogram: s.encoded };
      });
  }
}

/** Monotonic counts (mailbox writes, requests by status) that travel with the histograms. */
export class CounterSet {
  private readonly all = new Map<string, CounterSeries>();

  add(name: string, labels: Labels, by = 1): void {
    this.series(name, labels).value += by;
  }

  /** The series itself, for a hot path to keep and add to (`value += n`) without looking it up each time. */
  series(name: string, labels: Labels): CounterSeries {
    const key = seriesKey(name, labels);
    let series = this.all.get(key);
    if (!series) {
      series = { name, labels: { ...labels }, value: 0 };
      this.all.set(key, series);
    }
    return series;
  }

  list(): CounterSeries[] {
    return [...this.all.values()].map((s) => ({ ...s }));
  }
}
