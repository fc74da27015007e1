import { Controller, Get } from '@nestjs/common';
import { ReadinessService } from '#libs/health';

@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    return this.readiness.check();
  }
}
