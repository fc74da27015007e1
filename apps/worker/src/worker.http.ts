import http from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  MethodNotAllowedException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { NotFoundError, toErrorBody } from '#libs/errors';
import { ReadinessService } from '#libs/health';
import { mayScrape, MetricsService } from '#libs/metrics';

const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/**
 * The worker has no HTTP API; when WORKER_METRICS_PORT is set it serves, on that port, what orchestrators and scrapers
 * need: `GET /metrics` (Prometheus text, behind METRICS_TOKEN when set), `GET /health/live` (the process answers) and
 * `GET /health/ready` (PostgreSQL, Redis and the queue's own connection each answer within HEALTH_CHECK_TIMEOUT_MS;
 * 503 UNAVAILABLE naming which did not, as the API's). node:http, not Fastify: three fixed routes.
 */
@Injectable()
export class WorkerHttp implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WorkerHttp');
  private server?: http.Server;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerMetricsPort;
    if (port === null) return;
    this.server = http.createServer((req, res) => {
      this.answer(req, res).catch((error: Error) => {
        this.logger.error(`worker ${req.url}: ${error.message}`);
        if (!res.headersSent) json(res, 500, toErrorBody(error));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, this.config.host, resolve);
    });
    this.logger.log(`worker metrics and health on http://${this.config.host}:${port}`);
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') {
      return void json(res, 405, toErrorBody(new MethodNotAllowedException(`${req.method} is not served here`)), {
        allow: 'GET',
      });
    }
    if (path === '/health/live') return void json(res, 200, { status: 'ok' });
    if (path === '/health/ready') {
      const ready = await this.readiness.check().then(
        (body) => ({ status: 200, body }),
        (error: unknown) => ({ status: 503, body: toErrorBody(error) }),
      );
      return void json(res, ready.status, ready.body, ready.status === 503 ? { 'retry-after': '1' } : {});
    }
    if (path !== '/metrics') return void json(res, 404, toErrorBody(new NotFoundError(`No such path: ${path}`)));
    if (!mayScrape(this.config, req.headers.authorization)) {
      return void res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
    }
    const text = await this.metrics.prometheus();
    res.writeHead(200, { 'content-type': this.metrics.prometheusContentType }).end(text);
  }

  async onModuleDestroy(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
