/**
 * How many mailbox writes one process may have sent to Redis and not yet seen answered. A worker runs many jobs at
 * once (FANOUT_CONCURRENCY) so that one job's PostgreSQL reads overlap another's Redis writes; without a bound, every
 * job's pipeline would queue on Redis together, and an API read behind them waits for all of it (32 jobs × 2,000
 * writes at 3-5 µs each is a quarter of a second). Under the budget Redis still always has work queued, and no more
 * than a few tens of milliseconds of it. Waiters are served in arrival order; one larger than the whole budget runs
 * alone.
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

  private acquire(writes: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(writes)) {
      this.inFlight += writes;
      return Promise.resolve();
    }
    return new Promise((start) => this.waiting.push({ writes, start }));
  }

  private release(writes: number): void {
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
