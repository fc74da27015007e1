import { Module } from '@nestjs/common';
import { OutboxModule } from '#libs/outbox';
import { FlagsRepository } from './flags.repository.js';
import { FlagsService } from './flags.service.js';

@Module({
  imports: [OutboxModule],
  providers: [FlagsRepository, FlagsService],
  exports: [FlagsService, FlagsRepository],
})
export class FlagsModule {}
