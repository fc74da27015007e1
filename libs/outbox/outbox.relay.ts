import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#libs/config';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRepository } from './outbox.repository.js';

const SWEEP_BATCH = 1000;

/**
 * The safety net behind the API's fast path: every OUTBOX_SWEEP_MS it looks at the undelivered events older than
 * OUTBOX_REENQUEUE_MS and puts back on the queue those whose job is not there (never enqueued, lost with Redis) or
 * finished without delivering them. Job ids derive from event ids, so an event still queued is not doubled.
 */
@Injectable()
export class OutboxRelay implements OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.config.outboxSweepMs);
  }

  /** No further sweeps; resolves once the sweep under way (if any) has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  /** One sweep over every undelivered event old enough to be looked at; returns how many it (re)enqueued. */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.outboxReenqueueMs);
    let total = 0;
    for (let after = '0'; ;) {
      const stranded = await this.outbox.findStranded(SWEEP_BATCH, before, after);
      total += await this.dispatcher.redispatch(stranded);
      if (stranded.length < SWEEP_BATCH) return total;
      after = stranded[stranded.length - 1]!.eventId;
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep();
    try {
      const count = await this.running;
      if (count > 0) this.logger.log(`swept ${count} outbox event(s) into the queue`);
    } catch (error) {
      this.logger.warn(`outbox sweep failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }
}
