import { describe, expect, it } from 'vitest';
import { WriteBudget } from './write.budget.js';

/** A send that stays in flight until `finish` (or `fail`) is called. */
function pending() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  return { send: () => done, finish: () => finish(), fail: (error: Error) => fail(error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBudget', () => {
  it('sends at once while the writes fit, and holds back what does not fit until writes are answered', async () => {
    const budget = new WriteBudget(100);
    const [a, b, c] = [pending(), pending(), pending()];
    const started: string[] = [];
    const runs = [
      budget.run(60, () => (started.push('a'), a.send())),
      budget.run(40, () => (started.push('b'), b.send())),
      budget.run(30, () => (started.push('c'), c.send())),
    ];
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect(budget.used).toBe(100);
    a.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(budget.used).toBe(70);
    b.finish();
    c.finish();
    await Promise.all(runs);
    expect(budget.used).toBe(0);
  });

  it('serves waiters in arrival order: a small one does not overtake a larger one waiting before it', async () => {
    const budget = new WriteBudget(100);
    const [a, big, small] = [pending(), pending(), pending()];
    const started: string[] = [];
    const runs = [
      budget.run(50, () => (started.push('a'), a.send())),
      budget.run(80, () => (started.push('big'), big.send())),
      budget.run(10, () => (started.push('small'), small.send())),
    ];
    await tick();
    expect(started).toEqual(['a']);
    a.finish();
    await tick();
    expect(started).toEqual(['a', 'big', 'small']);
    big.finish();
    small.finish();
    await Promise.all(runs);
  });

  it('runs a send larger than the whole budget alone, and frees the writes of a send that failed', async () => {
    const budget = new WriteBudget(100);
    const [huge, next] = [pending(), pending()];
    const started: string[] = [];
    const failed = budget.run(500, () => (started.push('huge'), huge.send()));
    const after = budget.run(1, () => (started.push('next'), next.send()));
    await tick();
    expect(started).toEqual(['huge']);
    huge.fail(new Error('Redis went away'));
    await expect(failed).rejects.toThrow('Redis went away');
    await tick();
    expect(started).toEqual(['huge', 'next']);
    next.finish();
    await after;
    expect(budget.used).toBe(0);
  });
});
