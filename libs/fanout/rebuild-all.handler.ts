import { Injectable } from '@nestjs/common';
import { FlagsService } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { UsersRepository } from '#libs/social';
import type { FanoutFamily } from './fanout.family.js';

const PAGE = 1000;

/** The admin's "rebuild every mailbox": one rebuild job per user, a page of users per round trip. */
@Injectable()
export class RebuildAllHandler implements FanoutFamily {
  readonly jobs: FanoutFamily['jobs'] = { 'rebuild-all': (job) => this.rebuildAll(job.data.requestedAt) };

  constructor(
    private readonly users: UsersRepository,
    private readonly queue: FanoutQueue,
    private readonly flags: FlagsService,
  ) {}

  private async rebuildAll(requestedAt: number): Promise<void> {
    const { mailboxEpoch } = this.flags.current();
    for (let after: string | null = null; ;) {
      const ids = await this.users.idsAfter(after, PAGE);
      if (ids.length === 0) return;
      await this.queue.requestMailboxRebuilds(ids, mailboxEpoch, `all${requestedAt}`);
      after = ids[ids.length - 1]!;
    }
  }
}
