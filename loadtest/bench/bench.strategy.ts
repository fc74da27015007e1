import type { ApiClient, Strategy } from '#libs/contract';
import type { Credentials } from '../driver/credentials.model.js';
import { mapLimit } from './bench.lanes.js';
import { drain } from './bench.stack.js';

/**
 * Puts the deployment under a strategy the way an operator would (PATCH /v1/admin/config), and makes sure what is
 * measured next is that strategy's steady state: mailboxes whole (rebuilt after leaving pull, which starts a new
 * mailbox epoch) and, under hybrid, the celebrities of the threshold in use in pull mode (an author enters it with
 * their first post).
 */
export class StrategySwitch {
  private warmEpoch: number | null = null;

  constructor(
    private readonly api: ApiClient,
    private readonly credentials: Credentials,
    private readonly celebrityThreshold: number,
    private readonly log: (line: string) => void,
  ) {}

  /** Rebuilds every mailbox from PostgreSQL through the product's rebuild path; returns the seconds it took. */
  async warm(): Promise<number> {
    const started = performance.now();
    await this.api.rebuildMailboxes();
    await drain(this.api, 'rebuilding every mailbox', this.log);
    this.warmEpoch = (await this.api.config()).mailboxEpoch;
    const seconds = (performance.now() - started) / 1000;
    this.log(`mailboxes rebuilt in ${seconds.toFixed(1)} s (epoch ${this.warmEpoch})`);
    return seconds;
  }

  /**
   * `celebrityThreshold` other than the graph's is the --celebrity-variant: lowering it puts nobody in pull mode by
   * itself, so its celebrities are primed like the graph's; raising it back demotes them (the product's demotion jobs,
   * waited for).
   */
  async use(strategy: Strategy, celebrityThreshold = this.celebrityThreshold): Promise<void> {
    await this.api.patchConfig({ strategy, celebrityThreshold });
    await drain(this.api, `switching to ${strategy}`, this.log);
    const flags = await this.api.config();
    if (strategy !== 'pull' && flags.mailboxEpoch !== this.warmEpoch) await this.warm();
    if (strategy === 'hybrid') await this.primeCelebrities(celebrityThreshold);
    await this.readEveryTimeline(strategy);
    const now = await this.api.config();
    this.log(
      `strategy ${now.strategy}, celebrity threshold ${now.celebrityThreshold}: epoch ${now.mailboxEpoch}, ` +
        `${now.pullModeAuthors} author(s) in pull mode`,
    );
  }

  /**
   * Every user reads their first page once under the strategy, so its ladder starts on the caches a running system
   * has (tokens verified, posts cached, celebrities' timelines built) for every strategy alike: the first strategy
   * measured otherwise paid for them within its warm-up and first steps (hybrid, first, had a server p50 of 4.5 ms at
   * 500/s against push's 1.0 ms, and 2.0 ms in its own second run).
   */
  private async readEveryTimeline(strategy: Strategy): Promise<void> {
    const started = performance.now();
    const users = this.credentials.users;
    let failed = 0;
    // A read refused here (a 503 while a cache fills) only leaves that cache cold: counted, not fatal.
    await mapLimit(users, 32, (u) => this.api.timeline(u.token, strategy, 20).catch(() => (failed += 1)));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    this.log(`${users.length} timelines read once under ${strategy} in ${seconds} s (${failed} failed)`);
  }

  /**
   * One post from each author with at least `threshold` followers (from the credentials: the bench never changes the
   * graph), so hybrid reads merge them as they would in a running system.
   */
  private async primeCelebrities(threshold: number): Promise<void> {
    const celebrities = this.credentials.users.filter((u) => u.followers >= threshold);
    await mapLimit(celebrities, 8, (u) => this.api.post(u.token, `celebrity post before a hybrid run (u${u.id})`));
    await drain(this.api, `priming ${celebrities.length} celebrities`, this.log);
  }
}
