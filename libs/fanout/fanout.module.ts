import { Module } from '@nestjs/common';
import { FlagsModule } from '#libs/flags';
import { MailboxModule } from '#libs/mailbox';
import { OutboxModule } from '#libs/outbox';
import { PostsModule } from '#libs/posts';
import { SocialModule } from '#libs/social';
import { FanoutService } from './fanout.service.js';
import { OutboxRelay } from './outbox-relay.service.js';

@Module({
  imports: [FlagsModule, MailboxModule, OutboxModule, PostsModule, SocialModule],
  providers: [FanoutService, OutboxRelay],
  exports: [FanoutService, OutboxRelay],
})
export class FanoutModule {}
