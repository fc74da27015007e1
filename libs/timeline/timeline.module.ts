import { Module } from '@nestjs/common';
import { FlagsModule } from '#libs/flags';
import { MailboxModule } from '#libs/mailbox';
import { JobsModule } from '#libs/jobs';
import { PostsModule } from '#libs/posts';
import { AuthorTimelinesService } from './author-timelines.service.js';
import { DatabaseTimeline } from './database.timeline.js';
import { PullReadGate } from './pull-read.gate.js';
import { TimelineService } from './timeline.service.js';

@Module({
  imports: [FlagsModule, JobsModule, MailboxModule, PostsModule],
  providers: [TimelineService, AuthorTimelinesService, DatabaseTimeline, PullReadGate],
  exports: [TimelineService],
})
export class TimelineModule {}
