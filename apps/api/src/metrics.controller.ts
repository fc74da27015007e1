import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AdminGuard } from '#libs/auth';
import { combine } from '#libs/contract';
import { MetricsService, MetricsStore } from '#libs/metrics';
import { ApiDoc, ValidQuery } from './api-doc.decorators.js';
import { MetricsQueryDto } from './api.dto.js';

/** Processes that published within this window count as part of the deployment. */
const RECENT_MS = 60_000;

@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly store: MetricsStore,
  ) {}

  /** Prometheus text format: this process's golden signals (the worker serves its own on WORKER_METRICS_PORT). */
  @Get('metrics')
  @ApiDoc({
    tag: 'health',
    summary: "This process's Prometheus metrics (text format)",
    returns: z.string(),
    contentType: 'text/plain',
  })
  async prometheus(@Res({ passthrough: true }) reply: FastifyReply) {
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
    returns: z.object({ collectedAt: z.iso.datetime() }).loose(),
  })
  async histograms(@ValidQuery(MetricsQueryDto) query: z.infer<typeof MetricsQueryDto>) {
    const own = this.metrics.snapshot();
    const others = (await this.store.recent(RECENT_MS)).filter((s) => s.process.id !== own.process.id);
    const snapshots = [own, ...others];
    const collectedAt = new Date().toISOString();
    return query.raw === 'true' ? { collectedAt, snapshots } : { collectedAt, ...combine(snapshots) };
  }
}
