import { Controller, Get } from '@nestjs/common';
import { ReadinessService } from '#libs/health';
import { ApiDoc } from './api-doc.decorators.js';
import { LiveResponse, ReadyResponse } from '#libs/contract';
import { EXAMPLES } from './openapi.examples.js';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiDoc({
    tag: 'health',
    summary: 'Liveness',
    description: 'Public. 200 while the process serves HTTP, whatever PostgreSQL and Redis do: restart it otherwise.',
    returns: LiveResponse,
    example: EXAMPLES.live,
  })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiDoc({
    tag: 'health',
    summary: 'Readiness: PostgreSQL and Redis answer',
    description:
      'Public. 200 when PostgreSQL and Redis both answer within HEALTH_CHECK_TIMEOUT_MS; otherwise 503 ' +
      'UNAVAILABLE naming which did not (send traffic elsewhere until it is 200 again).',
    returns: ReadyResponse,
    example: EXAMPLES.ready,
    errors: ['UNAVAILABLE'],
  })
  ready() {
    return this.readiness.check();
  }
}
