/**
 * How many mailbox writes one process may have sent to Redis and not yet seen answered. A worker runs many jobs at
 * once (FANOUT_CONCURRENCY) so that one job's PostgreSQL reads overlap another's Redis writes; without a bound, every
 * job's pipeline would queue on Redis together, and an API read behind them waits for all of it (32 jobs × 2,000
 * writes at 3-5 µs each is a quarter of a second). Under the budget, a read waits behind a few tens of milliseconds
 * of fan-out at most, and what waits here can be merged (DeliveryCoalescer). Waiters are served in arrival order; one
 * larger than the whole budget runs alone.
 */
export class WriteBudget {
  private inFlight = 0;
  private readonly waiting: { writes: number; start: () => void }[] = [];

  constructor(readonly limit: number) {}

  /** Runs `send` once `writes` fit in the budget (at once when they do), and frees them when it settles. */
  async run<T>(writes: number, send: () => Promise<T>): Promise<T> {
    await this.acquire(writes);
    try {
      return await send();
    } finally {
      this.release(writes);
    }
  }

  get used(): number {
    return this.inFlight;
  }

  /** Resolves once `writes` fit; the caller must release them when they are answered (or failed). */
  acquire(writes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(writes)) {
      this.inFlight += writes;
      return Promise.resolve();
    }
    return new Promise((start) => this.waiting.push({ writes, start }));
  }

  /** Counts writes sent without waiting (what joined a batch already admitted); released like the others. */
  charge(writes: number): void {
    this.inFlight += writes;
  }

  release(writes: number): void {
    this.inFlight -= writes;
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.writes)) {
      const next = this.waiting.shift()!;
      this.inFlight += next.writes;
      next.start();
    }
  }

  private fits(writes: number): boolean {
    return this.inFlight === 0 || this.inFlight + writes <= this.limit;
  }
}
