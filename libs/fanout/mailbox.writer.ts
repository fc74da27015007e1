import { Injectable } from '@nestjs/common';
import { FlagsService } from '#libs/flags';
import { SERIES, type MailboxEntry } from '#libs/contract';
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
   * `cap` defaults to the current mailbox size; `floor` is for backfills that may not hold all of an author's older
   * posts (see the DELIVER script).
   */
  async deliver(
    owners: string[],
    entries: MailboxEntry[],
    { kind = 'deliver', cap = this.flags.current().flags.mailboxSize, floor = '0' } = {},
  ): Promise<void> {
    await timed(this.metrics, 'batch_write', kind, () => this.mailbox.deliver(owners, entries, cap, floor));
    this.metrics.count(SERIES.mailboxWrites, kind, owners.length * entries.length);
  }

  async retract(owners: string[], entry: MailboxEntry): Promise<void> {
    await timed(this.metrics, 'batch_write', 'retract', () => this.mailbox.retractPost(owners, entry));
    this.metrics.count(SERIES.mailboxWrites, 'retract', owners.length);
  }
}
