import { Controller, Get } from '@nestjs/common';
import { PrismaService } from '#libs/db';
import { UnavailableError } from '#libs/errors';
import { RedisService } from '#libs/redis';
import { ApiDoc } from './api-doc.decorators.js';
import { LiveResponse, ReadyResponse } from './api.responses.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

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
  async ready() {
    const [postgres, redis] = await Promise.all([
      this.prisma.$queryRaw`SELECT 1`.then(
        () => 'ok',
        (e: Error) => e.message,
      ),
      this.redis.client.ping().then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    ]);
    if (postgres !== 'ok' || redis !== 'ok') {
      throw new UnavailableError(`not ready: postgres ${postgres}; redis ${redis}`);
    }
    return { status: 'ok', postgres, redis };
  }
}
