import { Injectable } from '@nestjs/common';
import { ReadRouter } from '#libs/db';
import { FlagsRepository } from '#libs/flags';
import type { MailboxEntry } from '#libs/contract';
import { AuthorTimelineStore } from '#libs/mailbox';
import { PostsRepository } from '#libs/posts';
import type { FanoutFamily } from './fanout.family.js';
import { floorOf } from './fanout.plan.js';

/**
 * Posts kept per author timeline. Every API process caches the timelines it reads, and a change sends the whole
 * timeline again, so it stays short; a page deeper than it reads that author from PostgreSQL.
 */
export const authorTimelineCap = (mailboxSize: number) => Math.min(mailboxSize, 200);

/** Authors' recent posts in Redis, which hybrid reads merge for the pull-mode authors a reader follows. */
@Injectable()
export class AuthorTimelineHandler implements FanoutFamily {
  readonly jobs: FanoutFamily['jobs'] = { 'author-timeline-build': (job) => this.build(job.data.authorId) };

  constructor(
    private readonly store: AuthorTimelineStore,
    private readonly posts: PostsRepository,
    private readonly flagsRepository: FlagsRepository,
    private readonly reads: ReadRouter,
  ) {}

  /** A new post of the author; a no-op unless the timeline is built (or being built). */
  async append(entry: MailboxEntry, cap: number): Promise<void> {
    await this.store.append(entry, cap);
  }

  async retract(entry: MailboxEntry): Promise<void> {
    await this.store.retract(entry);
  }

  /**
   * Builds an author's timeline in Redis from PostgreSQL. Posts written meanwhile are kept (APPEND accepts them during
   * a build), so none is missed whichever commits first; throws to retry if another build took over.
   *
   * A post whose APPEND came before the build began was a no-op, so the read must see every commit made before it: a
   * replica qualifies only once it has replayed up to the primary's position taken after the build began (it waits a
   * little for that), else the primary answers. A build for a new celebrity's first pulled post thus sees that post.
   */
  async build(authorId: string, knownCap?: number): Promise<void> {
    const cap = knownCap ?? authorTimelineCap((await this.flagsRepository.read()).mailboxSize);
    const token = await this.store.beginBuild(authorId);
    const entries = await this.posts.recentRefs(authorId, cap, await this.reads.caughtUp());
    if (!(await this.store.finishBuild(authorId, { token, cap, floor: floorOf(entries, cap), entries }))) {
      throw new Error(`author timeline of ${authorId} was rebuilt concurrently; building again`);
    }
  }
}
