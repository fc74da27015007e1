import { describe, expect, it } from 'vitest';
import type { FanoutStatusResponse } from '#libs/contract';
import { drainProgress, duration, ProgressMeter, queuedJobs } from './progress.meter.js';

const clock = () => {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

const status = (queue: Record<string, number>, pending = 0): FanoutStatusResponse => ({
  accepted: 100,
  delivered: 100 - pending,
  pending,
  failed: 0,
  ok: true,
  idle: false,
  byType: {},
  queue,
});

describe('duration', () => {
  it('stays short at every scale', () => {
    expect(duration(7.4)).toBe('7 s');
    expect(duration(185)).toBe('3 min 05 s');
    expect(duration(3720)).toBe('1 h 02 min');
  });
});

describe('ProgressMeter', () => {
  it('prints at most one line per interval, with counts, share and time left', () => {
    const c = clock();
    const lines: string[] = [];
    const meter = new ProgressMeter('follows', 1000, 'rows', (l) => lines.push(l), { everyMs: 5000, now: c.now });
    c.advance(1000);
    meter.update(100);
    expect(lines).toEqual([]);
    c.advance(4000);
    meter.update(250);
    meter.update(260);
    expect(lines).toEqual(['follows: 250 of 1,000 rows (25 %) in 5 s, about 15 s left']);
    c.advance(5000);
    meter.update(1000);
    expect(lines[1]).toBe('follows: 1,000 of 1,000 rows (100 %) in 10 s');
  });
});

describe('drainProgress', () => {
  it('counts the jobs still queued and estimates from the pace since the previous line', () => {
    const c = clock();
    const lines: string[] = [];
    const onPoll = drainProgress('rebuilding mailboxes', (l) => lines.push(l), { everyMs: 5000, now: c.now });
    onPoll(status({ waiting: 9000, active: 8, failed: 0 }));
    c.advance(2000);
    onPoll(status({ waiting: 8000, active: 8 }));
    expect(lines).toEqual([]);
    c.advance(3000);
    onPoll(status({ waiting: 4000, active: 8, completed: 5000, failed: 3 }, 12));
    expect(lines).toEqual([
      'rebuilding mailboxes: 4,008 jobs queued (8 active), 12 changes pending, 88 delivered; 5 s so far, ' +
        'shrinking by 1,000/s, about 4 s left',
    ]);
    c.advance(5000);
    onPoll(status({ waiting: 4500, active: 8 }));
    expect(lines[1]).toMatch(/4,508 jobs queued .* growing since the last line \(jobs still being added\)$/);
    c.advance(5000);
    onPoll(status({ waiting: 4500, active: 8 }));
    expect(lines[2]).toMatch(/4,508 jobs queued .* not shrinking since the last line$/);
  });

  it('leaves failed and completed jobs out of the queued count', () => {
    expect(queuedJobs(status({ waiting: 2, active: 1, delayed: 1, failed: 5, completed: 9 }))).toBe(4);
  });
});
