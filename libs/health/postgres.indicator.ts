import { Injectable } from '@nestjs/common';
import { PrismaService } from '#libs/db';
import type { HealthIndicator } from './health.indicator.js';

/** PostgreSQL answers a trivial query on the process's own pool. */
@Injectable()
export class PostgresIndicator implements HealthIndicator {
  readonly name = 'postgres';

  constructor(private readonly prisma: PrismaService) {}

  async check(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }
}
