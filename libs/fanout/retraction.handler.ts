import { Injectable } from '@nestjs/common';
import type { PostPayload } from '#libs/jobs';
import { PostCacheStore } from '#libs/posts';
import { AuthorTimelineHandler } from './author-timeline.handler.js';
import { DONE, type FanoutFamily, type Planned } from './fanout.family.js';

/**
 * A deleted post: tombstoned in the post cache and taken out of its author's timeline. Mailboxes keep its entry until
 * it is trimmed: every read hydrates its page, and hydration drops a deleted post (the tombstone, or PostgreSQL on a
 * miss), which a read must do anyway for a delete that races a delivery. So a delete costs two writes, not one per
 * follower.
 */
@Injectable()
export class RetractionHandler implements FanoutFamily {
  readonly events: FanoutFamily['events'] = { 'post.deleted': (event) => this.retract(event.payload) };

  constructor(
    private readonly postCache: PostCacheStore,
    private readonly authorTimelines: AuthorTimelineHandler,
  ) {}

  private async retract(post: PostPayload): Promise<Planned> {
    await this.postCache.markDeleted([post.postId]);
    await this.authorTimelines.retract(post);
    return DONE;
  }
}
