import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import { fansOut, FlagsRepository, FlagsService, type FlagsRow } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import type { MailboxEntry } from '#libs/contract';
import { PullModeRepository } from '#libs/social';
import { AuthorTimelineHandler, authorTimelineCap } from './author-timeline.handler.js';

/** What the planner knows of a post's author when it plans the post. */
export interface AuthorFacts {
  followersCount: number;
  pullMode: boolean;
  pullVersion: number;
}

/**
 * Pull mode: authors whose posts are not in mailboxes, so readers merge them at read time (celebrities under hybrid,
 * and demoted celebrities until their backfill is done). Every change to the set bumps the flags version in the same
 * transaction and is announced, so every process learns of it.
 */
@Injectable()
export class PullModeService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: PullModeRepository,
    private readonly flagsRepository: FlagsRepository,
    private readonly flags: FlagsService,
    private readonly queue: FanoutQueue,
    private readonly authorTimelines: AuthorTimelineHandler,
  ) {}

  /**
   * What a new post means for its author's pull mode: it joins the author's timeline; a post that is not fanned out
   * under hybrid puts the author in pull mode; a post that is fanned out by an author still in pull mode asks for the
   * author's demotion (their older posts never reached mailboxes; readers merge them until it is done).
   */
  async recordPost(entry: MailboxEntry, author: AuthorFacts, flags: FlagsRow): Promise<void> {
    const cap = authorTimelineCap(flags.mailboxSize);
    await this.authorTimelines.append(entry, cap);
    if (fansOut(flags, author.followersCount)) {
      if (author.pullMode) await this.queue.requestDemotion(entry.authorId, author.pullVersion);
      return;
    }
    if (flags.strategy !== 'hybrid') return;
    // Built first (this post included), so readers who learn of the pull-mode author find their timeline ready.
    if (!author.pullMode) await this.authorTimelines.build(entry.authorId, cap);
    // Every pulled post bumps the author's pull version, so a demotion already under way cannot end pull mode
    // without this post.
    await this.change((tx) => this.repository.enter(tx, entry.authorId));
  }

  async requestDemotion(authorId: string, pullVersion: number): Promise<void> {
    await this.queue.requestDemotion(authorId, pullVersion);
  }

  /** Ends pull mode only if nothing put the author back since `pullVersion`; true when it did. */
  async leave(authorId: string, pullVersion: number): Promise<boolean> {
    return this.change((tx) => this.repository.leave(tx, authorId, pullVersion));
  }

  /**
   * Enters or leaves pull mode together with a flags version bump, in one transaction: should the announcement
   * below never be sent (the worker dies first), every process still sees the new version when it polls.
   */
  private async change(apply: (tx: Prisma.TransactionClient) => Promise<boolean>): Promise<boolean> {
    const changed = await this.prisma.$transaction(async (tx) => {
      if (!(await apply(tx))) return false;
      await this.flagsRepository.bumpVersion(tx);
      return true;
    });
    if (changed) await this.flags.announce();
    return changed;
  }
}
