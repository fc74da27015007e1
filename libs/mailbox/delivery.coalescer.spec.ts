import { describe, expect, it } from 'vitest';
import { DeliveryCoalescer, mergeDeliveries, type DeliveryGroup } from './delivery.coalescer.js';
import { WriteBudget } from './write.budget.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('mergeDeliveries', () => {
  it('gives each owner every member brought to it, once and oldest first, and groups owners by what they get', () => {
    const groups = mergeDeliveries([
      { owners: ['1', '2', '3'], member: '0000000000000020:9' },
      { owners: ['2', '3', '4'], member: '0000000000000010:8' },
      { owners: ['3'], member: '0000000000000020:9' },
    ]);
    const byFirstOwner = (a: DeliveryGroup, b: DeliveryGroup) => a.owners[0]!.localeCompare(b.owners[0]!);
    expect(groups.sort(byFirstOwner)).toEqual([
      { members: ['0000000000000020:9'], owners: ['1'] },
      { members: ['0000000000000010:8', '0000000000000020:9'], owners: ['2', '3'] },
      { members: ['0000000000000010:8'], owners: ['4'] },
    ]);
  });

  // A repeat is the same member, not one whose text ends the owner's last: 'b' after 'ab' is a member of its own.
  it('keeps a member whose text ends the one before it, and drops true repeats', () => {
    const groups = mergeDeliveries([
      { owners: ['1', '2'], member: 'b' },
      { owners: ['1'], member: 'ab' },
      { owners: ['1', '2'], member: 'b' },
    ]);
    expect(groups).toEqual([
      { members: ['ab', 'b'], owners: ['1'] },
      { members: ['b'], owners: ['2'] },
    ]);
  });
});

/** A sender that records each batch and answers when told. */
function recorder() {
  const sent: {
    groups: DeliveryGroup[];
    cap: number;
    answer: (skipped: string[]) => void;
    fail: (e: Error) => void;
  }[] = [];
  const send = (groups: DeliveryGroup[], cap: number) =>
    new Promise<Set<string>>((resolve, reject) => {
      sent.push({ groups, cap, answer: (skipped) => resolve(new Set(skipped)), fail: reject });
    });
  return { sent, send };
}

describe('DeliveryCoalescer', () => {
  it('sends a delivery at once while the budget is free, and merges those that queued behind a busy budget', async () => {
    const budget = new WriteBudget(4);
    const { sent, send } = recorder();
    const coalescer = new DeliveryCoalescer(budget, 100, send);
    const first = coalescer.deliver(['1', '2', '3', '4'], 'a', 800);
    await tick();
    expect(sent).toHaveLength(1);
    // The budget is full: these two wait, and go out as one batch once the first is answered.
    const second = coalescer.deliver(['1', '2'], 'b', 800);
    const third = coalescer.deliver(['2', '5'], 'c', 800);
    await tick();
    expect(sent).toHaveLength(1);
    sent[0]!.answer([]);
    expect(await first).toBe(4);
    await tick();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.groups).toEqual([
      { members: ['b'], owners: ['1'] },
      { members: ['b', 'c'], owners: ['2'] },
      { members: ['c'], owners: ['5'] },
    ]);
    // Owner 5 has no mailbox: only the delivery that reached it counts one fewer.
    sent[1]!.answer(['5']);
    expect([await second, await third]).toEqual([2, 1]);
    expect(budget.used).toBe(0);
  });

  it('keeps deliveries of another cap and past maxWrites for later batches, and fails every delivery of a failed batch', async () => {
    const budget = new WriteBudget(1);
    const { sent, send } = recorder();
    const coalescer = new DeliveryCoalescer(budget, 3, send);
    const blocker = coalescer.deliver(['9'], 'z', 800);
    await tick();
    const queued = [
      coalescer.deliver(['1', '2'], 'a', 800),
      coalescer.deliver(['3'], 'b', 100),
      coalescer.deliver(['4'], 'c', 800),
      coalescer.deliver(['5'], 'd', 800),
    ];
    sent[0]!.answer([]);
    await blocker;
    await tick();
    // Cap 800 up to 3 writes: a and c; b (cap 100) and d (over maxWrites) wait.
    expect(sent[1]!.cap).toBe(800);
    expect(sent[1]!.groups.flatMap((g) => g.members)).toEqual(['a', 'c']);
    sent[1]!.fail(new Error('Command timed out'));
    await expect(queued[0]).rejects.toThrow('Command timed out');
    await expect(queued[2]).rejects.toThrow('Command timed out');
    await tick();
    expect(sent[2]!.cap).toBe(100);
    sent[2]!.answer([]);
    await tick();
    expect(sent[3]!.groups).toEqual([{ members: ['d'], owners: ['5'] }]);
    sent[3]!.answer([]);
    expect([await queued[1], await queued[3]]).toEqual([1, 1]);
  });
});
