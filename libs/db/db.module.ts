import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';
import { ReadRouter } from './read.router.js';
import { ReplicaService } from './replica.service.js';

@Global()
@Module({
  providers: [PrismaService, ReplicaService, ReadRouter],
  exports: [PrismaService, ReplicaService, ReadRouter],
})
export class DbModule {}
