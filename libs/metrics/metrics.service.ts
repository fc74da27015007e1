import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  SERIES,
  type CounterSeries,
  type ProcessInfo,
  type ProcessRole,
  type ProcessSnapshot,
  type Stage,
} from '#libs/contract';
import { CounterSet, HistogramSet, type LatencyRecorder } from './metrics.recorder.js';

export const METRICS_ROLE = Symbol('MetricsRole');

const SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What one kind of answer (method, route, strategy, status) records into, looked up once per request. */
interface HttpSeries {
  count: CounterSeries;
  responses: ReturnType<Counter<'method' | 'route' | 'status'>['labels']>;
  /** Answered requests only (status < 400): errors are counted, not timed. */
  latency?: {
    hdr: LatencyRecorder;
    prom: ReturnType<Histogram<'method' | 'route' | 'strategy'>['labels']>;
  };
}

/**
 * One process's measurements. Latencies go to HDR histograms (µs, addable across processes; read by the bench and the
 * admin endpoint) and to Prometheus histograms (seconds; scraped at /metrics). Golden signals: latency and traffic
 * (request histograms and counts), errors (responses by status), saturation (queue depth, event-loop lag).
 */
@Injectable()
export class MetricsService {
  readonly process: ProcessInfo;
  readonly registry = new Registry();
  private readonly histograms = new HistogramSet();
  private readonly counters = new CounterSet();
  private readonly http = new Map<string, HttpSeries>();
  private readonly httpDuration: Histogram<'method' | 'route' | 'strategy'>;
  private readonly httpResponses: Counter<'method' | 'route' | 'status'>;
  private readonly stageDuration: Histogram<'stage' | 'detail'>;
  private readonly countTotal: Counter<'name' | 'detail'>;

  constructor(@Inject(METRICS_ROLE) role: ProcessRole) {
    this.process = {
      id: `${role}-${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      role,
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
    };
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry, prefix: 'fanout_' });
    this.httpDuration = new Histogram({
      name: 'fanout_http_request_duration_seconds',
      help: 'HTTP request latency by route and timeline strategy',
      labelNames: ['method', 'route', 'strategy'],
      buckets: SECONDS_BUCKETS,
      registers: [this.registry],
    });
    this.httpResponses = new Counter({
      name: 'fanout_http_responses_total',
      help: 'HTTP responses by route and status code (errors are 4xx and 5xx)',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.stageDuration = new Histogram({
      name: 'fanout_stage_duration_seconds',
      help: 'Fan-out worker stages: plan, batch, batch_write, delivery_lag, job_wait, rebuild',
      labelNames: ['stage', 'detail'],
      buckets: SECONDS_BUCKETS,
      registers: [this.registry],
    });
    this.countTotal = new Counter({
      name: 'fanout_events_total',
      help: 'Counts: fanout.mailbox_writes (mailbox entries written), fanout.posts (by fan-out mode)',
      labelNames: ['name', 'detail'],
      registers: [this.registry],
    });
  }

  /** Latency is kept for answered requests (status < 400); errors are counted by status, not timed. */
  httpRequest(method: string, route: string, strategy: string, status: number, micros: number): void {
    const key = `${method} ${route} ${strategy} ${status}`;
    const series = this.http.get(key) ?? this.httpSeries(key, method, route, strategy, status);
    series.count.value += 1;
    series.responses.inc();
    if (!series.latency) return;
    series.latency.hdr.recordValue(Math.max(1, Math.round(micros)));
    series.latency.prom.observe(micros / 1e6);
  }

  /**
   * The series a kind of answer records into, made once: the counters' series were looked up by a key built from a
   * labels object on every request (metrics were ~1.5 % of a push read's API CPU, profiled). prom-client's children
   * still check their labels on each inc/observe.
   */
  private httpSeries(key: string, method: string, route: string, strategy: string, status: number): HttpSeries {
    const counted = { method, route, status: String(status) };
    const timed = { method, route, strategy };
    const series: HttpSeries = {
      count: this.counters.series(SERIES.httpResponses, counted),
      responses: this.httpResponses.labels(counted),
      ...(status < 400 && {
        latency: { hdr: this.histograms.series(SERIES.httpRequest, timed), prom: this.httpDuration.labels(timed) },
      }),
    };
    this.http.set(key, series);
    return series;
  }

  stage(stage: Stage, detail: string, micros: number): void {
    this.histograms.record(SERIES.stage(stage), { detail }, micros);
    this.stageDuration.observe({ stage, detail }, micros / 1e6);
  }

  count(name: string, detail: string, by = 1): void {
    this.counters.add(name, { detail }, by);
    this.countTotal.inc({ name, detail }, by);
  }

  /** A gauge read when Prometheus scrapes (queue depth, say); absent from a scrape whose read failed. */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: () => Promise<{ labels: Record<L, string>; value: number }[]>,
  ): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      // A source that cannot be read (Redis down) leaves its series out of this scrape; the rest is still served.
      async collect() {
        this.reset();
        const values = await read().catch(() => []);
        for (const { labels, value } of values) this.set(labels as never, value);
      },
    });
  }

  snapshot(): ProcessSnapshot {
    return {
      process: this.process,
      takenAt: new Date().toISOString(),
      histograms: this.histograms.encode(),
      counters: this.counters.list(),
    };
  }

  prometheus(): Promise<string> {
    return this.registry.metrics();
  }

  get prometheusContentType(): string {
    return this.registry.contentType;
  }
}
