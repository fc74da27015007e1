import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type TimelineFlags } from '#libs/config';
import { OutboxWriter } from '#libs/outbox';
import { RedisService, type RedisClient } from '#libs/redis';
import { FlagsRepository } from './flags.repository.js';
import { nextEpoch } from './flags.policy.js';

export interface FlagsSnapshot {
  flags: TimelineFlags;
  mailboxEpoch: number;
  version: number;
  /** Authors whose posts readers must merge at read time (not guaranteed to be in mailboxes). */
  pullAuthors: ReadonlySet<string>;
}

/**
 * Run-time flags shared by every process. PostgreSQL holds them; each process keeps a snapshot, reloaded when
 * a change is announced on Redis pub/sub and, as a safety net, when polling sees a newer version.
 */
@Injectable()
export class FlagsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Flags');
  private snapshot!: FlagsSnapshot;
  private poller?: NodeJS.Timeout;
  private subscriber?: RedisClient;
  private refreshing?: Promise<void>;
  private reloadAfter = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: FlagsRepository,
    private readonly outbox: OutboxWriter,
    private readonly redis: RedisService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.repository.ensure(this.config.defaultFlags);
    await this.refresh();
    this.subscriber = this.redis.subscriber();
    this.subscriber.on('message', () => void this.refresh().catch((e) => this.logger.warn(String(e))));
    this.subscriber.on('error', (e) => this.logger.warn(`flags subscriber: ${e.message}`));
    await this.subscriber.subscribe(this.redis.keys.flagsChannel());
    this.poller = setInterval(() => void this.poll(), this.config.flagsPollMs);
    this.poller.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.subscriber?.disconnect();
  }

  current(): FlagsSnapshot {
    return this.snapshot;
  }

  /** Flags set in the environment win at start-up (the API applies them; workers only follow). */
  async applyEnvironment(): Promise<void> {
    const wanted = this.config.envFlags;
    const differs = (Object.keys(wanted) as (keyof TimelineFlags)[]).some(
      (key) => wanted[key] !== this.snapshot.flags[key],
    );
    if (differs) await this.update(wanted);
  }

  async update(patch: Partial<TimelineFlags>, requestId?: string): Promise<FlagsSnapshot> {
    await this.outbox.commit(
      async (tx) => {
        const before = await this.repository.readForUpdate(tx);
        const flags: TimelineFlags = {
          strategy: patch.strategy ?? before.strategy,
          celebrityThreshold: patch.celebrityThreshold ?? before.celebrityThreshold,
          mailboxSize: patch.mailboxSize ?? before.mailboxSize,
          fanoutBatchSize: patch.fanoutBatchSize ?? before.fanoutBatchSize,
        };
        return this.repository.write(tx, flags, nextEpoch(before.mailboxEpoch, before.strategy, flags.strategy));
      },
      (version) => ({ type: 'flags.changed', payload: { version } }),
      requestId,
    );
    await this.announce();
    return this.snapshot;
  }

  /** Reloads now and tells every other process to reload. */
  async announce(): Promise<void> {
    await this.load();
    // The message only speeds things up: every process also polls the version (FLAGS_POLL_MS), so a change committed
    // while Redis is away still reaches them all.
    await this.redis.client
      .publish(this.redis.keys.flagsChannel(), String(this.snapshot.version))
      .catch((error: Error) => this.logger.warn(`flags change not announced, the others poll it: ${error.message}`));
  }

  /** A change announced while a load is under way may not be in it, so that load is followed by another. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.reloadAfter = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.reloadAfter = false;
        await this.load();
      } while (this.reloadAfter);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async load(): Promise<void> {
    // Version first: a change committed in between only makes the author set newer, and the next poll reloads.
    const row = await this.repository.read();
    const pullAuthors = await this.repository.pullAuthorIds();
    const { mailboxEpoch, version, ...flags } = row;
    if (this.snapshot && version < this.snapshot.version) return;
    this.snapshot = {
      flags,
      mailboxEpoch,
      version,
      pullAuthors: new Set(pullAuthors),
    };
  }

  private async poll(): Promise<void> {
    try {
      const version = await this.repository.version();
      if (version !== this.snapshot.version) await this.refresh();
    } catch (error) {
      this.logger.warn(`flags poll failed: ${(error as Error).message}`);
    }
  }
}
