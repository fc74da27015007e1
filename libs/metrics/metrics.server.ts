import http from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { mayScrape } from './metrics.access.js';
import { MetricsService } from './metrics.service.js';

/**
 * The worker has no HTTP API; when WORKER_METRICS_PORT is set it serves `GET /metrics` (Prometheus text) on that port
 * so it can be scraped like the API.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private server?: http.Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerMetricsPort;
    if (this.metrics.process.role !== 'worker' || port === null) return;
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      if (!mayScrape(this.config, req.headers.authorization)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
        return;
      }
      this.metrics.prometheus().then(
        (text) => res.writeHead(200, { 'content-type': this.metrics.prometheusContentType }).end(text),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.host, resolve);
    });
    this.logger.log(`worker metrics on http://${this.config.host}:${port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
