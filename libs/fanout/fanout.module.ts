import { Module } from '@nestjs/common';
import { FlagsModule } from '#libs/flags';
import { JobsModule } from '#libs/jobs';
import { MailboxModule } from '#libs/mailbox';
import { OutboxModule } from '#libs/outbox';
import { PostsModule } from '#libs/posts';
import { SocialModule } from '#libs/social';
import { AuthorTimelineHandler } from './author-timeline.handler.js';
import { CelebrityPosts } from './celebrity-posts.service.js';
import { DemotionHandler } from './demotion.handler.js';
import { FANOUT_FAMILIES } from './fanout.family.js';
import { FanoutFailures } from './fanout.failures.js';
import { FanoutRouter } from './fanout.router.js';
import { FollowSyncHandler } from './follow-sync.handler.js';
import { FollowerBatches } from './follower.batches.js';
import { MailboxRebuildHandler } from './mailbox-rebuild.handler.js';
import { MailboxWriter } from './mailbox.writer.js';
import { OutboxEventHandler } from './outbox-event.handler.js';
import { PostDeliveryHandler } from './post-delivery.handler.js';
import { PullModeHandler } from './pull-mode.handler.js';
import { PullModeService } from './pull-mode.service.js';
import { RebuildAllHandler } from './rebuild-all.handler.js';
import { RetractionHandler } from './retraction.handler.js';

/** Every family of fan-out work; the router and the event handler find them through FANOUT_FAMILIES. */
const FAMILIES = [
  PostDeliveryHandler,
  RetractionHandler,
  FollowSyncHandler,
  MailboxRebuildHandler,
  RebuildAllHandler,
  AuthorTimelineHandler,
  DemotionHandler,
  PullModeHandler,
];

@Module({
  imports: [FlagsModule, JobsModule, MailboxModule, OutboxModule, PostsModule, SocialModule],
  providers: [
    ...FAMILIES,
    { provide: FANOUT_FAMILIES, useFactory: (...families: object[]) => families, inject: FAMILIES },
    FollowerBatches,
    MailboxWriter,
    PullModeService,
    CelebrityPosts,
    FanoutFailures,
    OutboxEventHandler,
    FanoutRouter,
  ],
  exports: [FanoutRouter, FanoutFailures, ...FAMILIES],
})
export class FanoutModule {}
