import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService } from '#libs/db';
import { FlagsRepository, FlagsService } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { PullModeRepository } from '#libs/social';

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
  ) {}

  /**
   * Puts the author in pull mode, or keeps them there: every pulled post bumps the author's pull version, so a
   * demotion already under way cannot end pull mode without this post. True when the author was not in pull mode.
   */
  async enter(authorId: string): Promise<boolean> {
    return this.change((tx) => this.repository.enter(tx, authorId));
  }

  /** Ends pull mode only if nothing put the author back since `pullVersion`; true when it did. */
  async leave(authorId: string, pullVersion: number): Promise<boolean> {
    return this.change((tx) => this.repository.leave(tx, authorId, pullVersion));
  }

  async requestDemotion(authorId: string, pullVersion: number): Promise<void> {
    await this.queue.requestDemotion(authorId, pullVersion);
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
