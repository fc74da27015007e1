import { Injectable, Logger } from '@nestjs/common';
import { FlagsRepository, FlagsService } from '#libs/flags';
import { OutboxRepository } from '#libs/outbox';

/** What happens when an event's retries are used up. */
@Injectable()
export class FanoutFailures {
  private readonly logger = new Logger('Fanout');

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly flagsRepository: FlagsRepository,
    private readonly flags: FlagsService,
  ) {}

  /**
   * An event that gave up left some mailboxes without a change. Which ones is not known, so a new mailbox epoch makes
   * every mailbox be rebuilt from PostgreSQL before it is trusted again; `failed` stays counted.
   */
  async giveUp(eventId: string, reason: string): Promise<void> {
    await this.outbox.markFailed(eventId, reason);
    await this.flagsRepository.bumpEpoch();
    await this.flags.announce();
    this.logger.error(`fan-out of event ${eventId} gave up (${reason}); started a new mailbox epoch`);
  }
}
