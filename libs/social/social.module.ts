import { Module } from '@nestjs/common';
import { AuthModule } from '#libs/auth';
import { FlagsModule } from '#libs/flags';
import { OutboxModule } from '#libs/outbox';
import { FollowsRepository } from './follows.repository.js';
import { FollowsService } from './follows.service.js';
import { PullModeRepository, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [AuthModule, FlagsModule, OutboxModule],
  providers: [UsersRepository, UsersService, FollowsRepository, FollowsService, PullModeRepository],
  exports: [UsersRepository, UsersService, FollowsRepository, FollowsService, PullModeRepository],
})
export class SocialModule {}
