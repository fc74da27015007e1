import { Controller, Get } from '@nestjs/common';
import { ReadinessService } from '#libs/health';
import { ApiDoc } from './api-doc.decorators.js';
import { LiveResponse, ReadyResponse } from '#libs/contract';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @ApiDoc({ tag: 'health', summary: 'Liveness', returns: LiveResponse })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiDoc({
    tag: 'health',
    summary: 'Readiness: PostgreSQL and Redis answer',
    returns: ReadyResponse,
    errors: ['UNAVAILABLE'],
  })
  ready() {
    return this.readiness.check();
  }
}
