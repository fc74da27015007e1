import type { FanoutStatusResponse } from '#libs/contract';

// Progress lines for the load suite's slow phases (seeding, rebuilding mailboxes, draining the fan-out queue,
// redis-benchmark): a phase of minutes that prints nothing looks hung, and one that prints every poll buries the log.
// So: at most one line every few seconds, with counts and an estimate of the time left; a phase shorter than that
// prints no progress line at all.

export const PROGRESS_EVERY_MS = 5000;

export interface ProgressOptions {
  /** Least time between two lines. */
  everyMs?: number;
  /** Milliseconds on a monotonic clock (tests pass their own). */
  now?: () => number;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** "7 s", "3 min 05 s", "1 h 02 min": short enough for a progress line. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Work of a known size (rows to copy, requests to send): call `update(done)` as often as convenient. */
export class ProgressMeter {
  private readonly everyMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private last: number;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    private readonly log: (line: string) => void,
    options: ProgressOptions = {},
  ) {
    this.everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.last = this.started;
  }

  update(done: number): void {
    const now = this.now();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    this.log(this.line(done, now));
  }

  /** "follows: 2,100,000 of 10,000,000 rows (21 %) in 18 s, about 1 min 08 s left" */
  line(done: number, now = this.now()): string {
    const elapsed = (now - this.started) / 1000;
    const share = this.total > 0 ? Math.min(100, (100 * done) / this.total) : 100;
    // Linear from the start: these phases run at a steady pace once begun.
    const left = done > 0 && done < this.total ? (elapsed * (this.total - done)) / done : null;
    return (
      `${this.label}: ${n(done)} of ${n(this.total)} ${this.unit} (${share.toFixed(0)} %) in ${duration(elapsed)}` +
      (left === null ? '' : `, about ${duration(left)} left`)
    );
  }
}

/** Jobs still to run in a queue status (`failed` and `completed` are done, one way or the other). */
export function queuedJobs(status: Pick<FanoutStatusResponse, 'queue'>): number {
  return Object.entries(status.queue)
    .filter(([state]) => state !== 'failed' && state !== 'completed')
    .reduce((sum, [, count]) => sum + count, 0);
}

/**
 * Progress of a fan-out queue draining, from the statuses `ApiClient.waitIdle` polls (its `onPoll`). How many jobs a
 * drain will run is not known up front (a rebuild pages through the users, adding jobs as it goes), so the estimate
 * is the jobs still queued over the pace at which the queue shrank since the previous line.
 */
export function drainProgress(
  label: string,
  log: (line: string) => void,
  options: ProgressOptions = {},
): (status: FanoutStatusResponse) => void {
  const everyMs = options.everyMs ?? PROGRESS_EVERY_MS;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let previous = { at: started, queued: null as number | null };
  return (status) => {
    const at = now();
    const queued = queuedJobs(status);
    if (previous.queued === null) previous = { at, queued };
    if (at - previous.at < everyMs) return;
    const pace = (previous.queued! - queued) / ((at - previous.at) / 1000);
    previous = { at, queued };
    const estimate =
      pace > 0
        ? `shrinking by ${n(pace)}/s, about ${duration(queued / pace)} left`
        : pace < 0
          ? 'growing since the last line (jobs still being added)'
          : 'not shrinking since the last line';
    log(
      `${label}: ${n(queued)} jobs queued (${n(status.queue.active ?? 0)} active), ${n(status.pending)} changes ` +
        `pending, ${n(status.delivered)} delivered; ${duration((at - started) / 1000)} so far, ${estimate}`,
    );
  };
}
