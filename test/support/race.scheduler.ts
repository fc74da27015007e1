import { AsyncLocalStorage } from 'node:async_hooks';
import type { Scheduler, SchedulerAct } from 'fast-check';

/** What the driver needs of a scheduler: fast-check's, or the sequential one below. */
export type Picker = Pick<Scheduler, 'schedule' | 'count' | 'waitNext'>;

interface Task {
  name: string;
  state: 'running' | 'parked' | 'done';
  /** The run it belongs to: a task left over from a run that failed must not step into the next one. */
  run: number;
}

interface Context {
  task: Task;
  /** Inside a hooked call: the calls it makes run with it, as one step. */
  atomic: boolean;
}

/** Long enough for any real call; a task that runs longer is stuck (say, on a lock held by a parked task). */
const STUCK_AFTER_MS = 20_000;

/**
 * Puts fast-check's scheduler at the I/O boundaries of the real services. Work runs in *tasks* (one per job, one for
 * the history's commits). Inside a task, a call to a hooked method first parks at the scheduler and starts only when
 * fast-check picks it, so its effect on PostgreSQL or Redis happens at the point of the interleaving fast-check chose
 * (scheduleFunction would start the call at once and only delay its answer). The driver releases one call at a time,
 * and waits until every task has parked again or finished before the next pick: each pick then chooses among the
 * same candidates for the same seed, and a counterexample replays. Outside a task (the final reads, the background
 * reloads of the flags) hooked methods run as usual.
 */
export class Interleaver {
  private readonly context = new AsyncLocalStorage<Context>();
  private scheduler: Picker | null = null;
  private tasks: Task[] = [];
  private failures: unknown[] = [];
  private wake: (() => void) | null = null;
  private runs = 0;
  /** Steps released so far in this run: the clock of retry backoffs. */
  picks = 0;
  /** How call arguments appear in the scheduler's report (short names for ids). */
  describe: (arg: unknown) => string = String;

  /** Replaces the methods on the instance itself, so every service that was injected with it is hooked. */
  hook<T extends object>(instance: T, methods: readonly (keyof T & string)[]): void {
    const type = instance.constructor.name;
    for (const method of methods) {
      const original = instance[method] as (...args: unknown[]) => Promise<unknown>;
      if (typeof original !== 'function') throw new Error(`${type}.${method} is not a method`);
      const hooked = (...args: unknown[]) => this.step(`${type}.${method}`, args, () => original.apply(instance, args));
      Object.defineProperty(instance, method, { value: hooked, configurable: true, writable: true });
    }
  }

  /** One step of the current task: parks until fast-check picks it, then runs `body` whole (no parking inside). */
  async step<R>(what: string, args: unknown[], body: () => Promise<R>): Promise<R> {
    const context = this.context.getStore();
    const scheduler = this.scheduler;
    if (!context || context.atomic || !scheduler) return body();
    const { task } = context;
    if (task.run !== this.runs) throw new Error(`task ${task.name} outlived its run`);
    task.state = 'parked';
    this.notify();
    const label = `${task.name} | ${what}(${args.map((a) => this.describe(a)).join(', ')})`;
    // The act runs when fast-check picks this call: the task counts as running from then on, synchronously.
    await scheduler.schedule(Promise.resolve(), label, undefined, async (release) => {
      task.state = 'running';
      await release();
    });
    return this.context.run({ task, atomic: true }, body);
  }

  /** Starts a task now; it runs until its first hooked call. */
  spawn(name: string, body: () => Promise<void>): void {
    const task: Task = { name, state: 'running', run: this.runs };
    this.tasks.push(task);
    void this.context
      .run({ task, atomic: false }, body)
      .catch((error: unknown) => void this.failures.push(error))
      .finally(() => {
        task.state = 'done';
        this.notify();
      });
  }

  /**
   * Runs the `initial` tasks, and those they lead to, until all are done, letting fast-check pick the order of their
   * steps. `pump` starts tasks for work that appeared meanwhile (jobs the tasks enqueued); it runs while every task
   * is parked. Throws what a task threw.
   */
  async run(scheduler: Picker, initial: [string, () => Promise<void>][], pump: () => Promise<void>) {
    this.scheduler = scheduler;
    this.runs += 1;
    this.picks = 0;
    this.tasks = [];
    this.failures = [];
    try {
      for (const [name, body] of initial) this.spawn(name, body);
      for (;;) {
        await this.quiet();
        await pump();
        await this.quiet();
        if (scheduler.count() === 0) break;
        this.picks += 1;
        await scheduler.waitNext(1);
      }
      // A line in the report where the work drained (the checks run here).
      const mark = scheduler.schedule(Promise.resolve(), '(drained)');
      await scheduler.waitNext(1);
      await mark;
    } finally {
      this.scheduler = null;
    }
    const failures = this.failures.splice(0);
    if (failures.length > 0) throw failures[0];
  }

  /** Tasks waiting at the scheduler now. */
  parked(): number {
    return this.tasks.filter((t) => t.state === 'parked').length;
  }

  /** Until no task is running: each is parked at the scheduler or done. */
  private async quiet(): Promise<void> {
    const deadline = Date.now() + STUCK_AFTER_MS;
    while (this.tasks.some((t) => t.state === 'running')) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        this.wake = resolve;
        timer = setTimeout(() => {
          const stuck = this.tasks.filter((t) => t.state === 'running').map((t) => t.name);
          reject(new Error(`tasks still running after ${STUCK_AFTER_MS} ms: ${stuck.join('; ')}`));
        }, deadline - Date.now());
      }).finally(() => clearTimeout(timer));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/**
 * A scheduler without choices: jobs before the history, the oldest first. Every job runs to its end before the next
 * change commits, as in a history run one step at a time: the control that shows a bug needs the interleavings.
 */
export class SequentialScheduler implements Picker {
  private readonly waiting: { label: string; run: () => Promise<void> }[] = [];

  schedule<T>(task: Promise<T>, label = '', _metadata?: unknown, act: SchedulerAct = (f) => f()): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ label, run: async () => void (await act(() => task.then(resolve, reject))) });
    });
  }

  count(): number {
    return this.waiting.length;
  }

  async waitNext(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const job = this.waiting.findIndex((w) => !w.label.startsWith('history'));
      const [next] = this.waiting.splice(job === -1 ? 0 : job, 1);
      await next?.run();
    }
  }
}
