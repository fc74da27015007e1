import { Controller, Get, Header, Headers, Inject, Res, UseGuards } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { UnauthorizedError } from '#libs/errors';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { combine } from '#libs/contract';
import { mayScrape, MetricsService, MetricsStore } from '#libs/metrics';
import { ApiDoc, ValidQuery } from './api-doc.decorators.js';
import { MetricsQueryDto } from './api.dto.js';
import { EXAMPLES } from './openapi.examples.js';

/** Processes that published within this window count as part of the deployment. */
const RECENT_MS = 60_000;

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly store: MetricsStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Prometheus text format: this process's golden signals (the worker serves its own on WORKER_METRICS_PORT). */
  @Get('metrics')
  @ApiDoc({
    tag: 'health',
    summary: "This process's Prometheus metrics (text format); with METRICS_TOKEN set, only with that bearer token",
    description:
      'For Prometheus to scrape: HTTP latency and responses by route, queue depths and process metrics, in the ' +
      'text exposition format. Public unless the deployment sets METRICS_TOKEN; then only that bearer token.',
    returns: z.string(),
    example: EXAMPLES.prometheus,
    contentType: 'text/plain',
    // No guard: the handler checks the token itself, and only when METRICS_TOKEN is set ({} = none needed).
    security: [{}, { metricsToken: [] }],
    errors: ['UNAUTHORIZED'],
  })
  async prometheus(
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('authorization') authorization: string | undefined,
  ) {
    if (!mayScrape(this.config, authorization))
      throw new UnauthorizedError('Send Authorization: Bearer <METRICS_TOKEN>.');
    reply.header('content-type', this.metrics.prometheusContentType);
    return this.metrics.prometheus();
  }

  /**
   * Every API and worker process's HDR histograms, added. With `raw=true`, each process's cumulative snapshot
   * instead (two calls then give an interval, process by process), without the cost of adding them here.
   */
  @Get('v1/admin/metrics')
  @UseGuards(AdminGuard)
  @Header('cache-control', 'no-store')
  @ApiDoc({
    tag: 'admin',
    summary: "Every process's HDR latency histograms, added (?raw=true: each process's cumulative snapshot)",
    description:
      'The latency histograms every API and worker process published in the last minute, added bucket by bucket ' +
      '(percentiles are never averaged), with their counters. `histogram` is the encoded HDR histogram, for ' +
      'adding or subtracting runs client-side.',
    returns: z.object({ collectedAt: z.iso.datetime() }).loose(),
    example: EXAMPLES.histograms,
  })
  async histograms(@ValidQuery(MetricsQueryDto) query: z.infer<typeof MetricsQueryDto>) {
    const own = this.metrics.snapshot();
    const others = (await this.store.recent(RECENT_MS)).filter((s) => s.process.id !== own.process.id);
    const snapshots = [own, ...others];
    const collectedAt = new Date().toISOString();
    return query.raw === 'true' ? { collectedAt, snapshots } : { collectedAt, ...combine(snapshots) };
  }
}
