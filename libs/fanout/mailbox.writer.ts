import { Injectable } from '@nestjs/common';
import { SERIES, type MailboxEntry } from '#libs/contract';
import { FlagsService } from '#libs/flags';
import { MailboxStore } from '#libs/mailbox';
import { MetricsService } from '#libs/metrics';
import { timed } from './fanout.timing.js';

/** Mailbox writes of many owners at once, timed (`batch_write`) and counted (`mailbox_writes`) by kind. */
@Injectable()
export class MailboxWriter {
  constructor(
    private readonly mailbox: MailboxStore,
    private readonly flags: FlagsService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Entries to many owners. `cap` defaults to the current mailbox size; `floor` is for backfills that may not hold all
   * of an author's older posts (see the DELIVER script). Counts the members pushed (owners without a mailbox skipped).
   */
  async deliver(
    owners: string[],
    entries: MailboxEntry[],
    { kind = 'deliver', cap = this.flags.current().flags.mailboxSize, floor = '0' } = {},
  ): Promise<void> {
    const pushed = await timed(this.metrics, 'batch_write', kind, () =>
      this.mailbox.deliver(owners, entries, cap, floor),
    );
    this.metrics.count(SERIES.mailboxWrites, kind, pushed);
  }
}
