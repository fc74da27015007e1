import { Controller, Get } from '@nestjs/common';
import { PrismaService } from '#libs/db';
import { UnavailableError } from '#libs/errors';
import { RedisService } from '#libs/redis';

@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
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
