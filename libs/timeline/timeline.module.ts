import { Module } from '@nestjs/common';
import { FlagsModule } from '#libs/flags';
import { MailboxModule } from '#libs/mailbox';
import { JobsModule } from '#libs/jobs';
import { PostsModule } from '#libs/posts';
import { AuthorTimelinesService } from './author-timelines.service.js';
import { TimelineService } from './timeline.service.js';

@Module({
  imports: [FlagsModule, JobsModule, MailboxModule, PostsModule],
  providers: [TimelineService, AuthorTimelinesService],
  exports: [TimelineService],
})
export class TimelineModule {}
