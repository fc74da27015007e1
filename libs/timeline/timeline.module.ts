import { Module } from '@nestjs/common';
import { FlagsModule } from '#libs/flags';
import { MailboxModule } from '#libs/mailbox';
import { OutboxModule } from '#libs/outbox';
import { PostsModule } from '#libs/posts';
import { TimelineService } from './timeline.service.js';

@Module({
  imports: [FlagsModule, MailboxModule, OutboxModule, PostsModule],
  providers: [TimelineService],
  exports: [TimelineService],
})
export class TimelineModule {}
