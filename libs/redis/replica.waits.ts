/**
 * One replica confirmation in flight per master, shared by every caller that needs it.
 *
 * WAIT blocks the connection it is sent on until a replica acknowledges, or for its whole timeout when no replica
 * does; every command queued behind it on that connection waits too. Sent once per fan-out job, 64 concurrent jobs
 * meeting a master whose replica had just died queued 64 WAITs of 200 ms each on one connection: the scripts behind
 * them hit their command timeout, and jobs failed again on every retry until their events gave up (seen in the Redis
 * Cluster failover test at FANOUT_CONCURRENCY 32).
 *
 * A WAIT covers every write sent on its connection before it, whoever sent it. A caller's writes have been answered
 * before it asks, so a WAIT sent after that covers them: a caller arriving while one is in flight joins the next one,
 * sent as soon as the current one settles. At most one WAIT runs and one is queued per master, however many jobs.
 */
type Confirmations = { current?: Promise<void>; next?: Promise<void> };

export class ReplicaWaits {
  private readonly masters = new Map<string, Confirmations>();

  /** Resolves once a confirmation sent after this call (by `confirm`) has succeeded; rejects with its error. */
  confirmed(master: string, confirm: () => Promise<void>): Promise<void> {
    let state = this.masters.get(master);
    if (!state) this.masters.set(master, (state = {}));
    if (!state.current) return this.start(master, state, confirm);
    // The one in flight may have been sent before this caller's writes were answered: wait for the next.
    state.next ??= state.current
      .catch(() => undefined)
      .then(() => {
        state.next = undefined;
        return this.start(master, state, confirm);
      });
    return state.next;
  }

  private start(master: string, state: Confirmations, confirm: () => Promise<void>): Promise<void> {
    const current: Promise<void> = confirm().finally(() => {
      if (state.current === current) state.current = undefined;
      if (!state.current && !state.next) this.masters.delete(master);
    });
    state.current = current;
    return current;
  }
}
