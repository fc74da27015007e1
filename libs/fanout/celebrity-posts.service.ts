import { Injectable } from '@nestjs/common';
import type { MailboxEntry } from '#libs/contract';
import { fansOut, type FlagsRow } from '#libs/flags';
import { AuthorTimelineHandler, authorTimelineCap } from './author-timeline.handler.js';
import { DONE, type EventJob, type Planned } from './fanout.family.js';
import { PullModeHandler } from './pull-mode.handler.js';
import { PullModeService } from './pull-mode.service.js';

/** What the planner knows of a post's author when it plans the post. */
export interface AuthorFacts {
  followersCount: number;
  pullMode: boolean;
  pullVersion: number;
}

/** What a new post means for its author's timeline in Redis and their pull mode. */
@Injectable()
export class CelebrityPosts {
  constructor(
    private readonly authorTimelines: AuthorTimelineHandler,
    private readonly pullMode: PullModeService,
    private readonly announcer: PullModeHandler,
  ) {}

  /**
   * The post joins the author's timeline. A post that is fanned out by an author still in pull mode asks for the
   * author's demotion (their older posts never reached mailboxes; readers merge them until it is done): returns null,
   * the caller fans it out. A post that is not fanned out is done here (returns what is left to wait for): under hybrid
   * it puts the author in pull mode, announced to their followers' mailboxes when the author was not in it yet.
   */
  async record(job: EventJob, entry: MailboxEntry, author: AuthorFacts, flags: FlagsRow): Promise<Planned | null> {
    const cap = authorTimelineCap(flags.mailboxSize);
    await this.authorTimelines.append(entry, cap);
    if (fansOut(flags, author.followersCount)) {
      if (author.pullMode) await this.pullMode.requestDemotion(entry.authorId, author.pullVersion);
      return null;
    }
    if (flags.strategy !== 'hybrid') return DONE;
    // Built first (this post included), so readers who learn of the pull-mode author find their timeline ready.
    if (!author.pullMode) await this.authorTimelines.build(entry.authorId, cap);
    if (!(await this.pullMode.enter(entry.authorId))) return DONE;
    return this.announcer.announce(job, entry.authorId, author.followersCount);
  }
}
