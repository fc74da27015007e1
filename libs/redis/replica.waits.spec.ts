import { describe, expect, it } from 'vitest';
import { ReplicaWaits } from './replica.waits.js';

/** A confirmation that settles when the test says so, numbered in the order they were sent. */
function confirmations() {
  const sent: { n: number; settle: (error?: Error) => void }[] = [];
  const confirm = () =>
    new Promise<void>((resolve, reject) => {
      sent.push({ n: sent.length + 1, settle: (error) => (error ? reject(error) : resolve()) });
    });
  return { sent, confirm };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ReplicaWaits', () => {
  it('sends one confirmation for every caller that arrives while one is in flight, after that one', async () => {
    const waits = new ReplicaWaits();
    const { sent, confirm } = confirmations();
    const settled: string[] = [];
    const first = waits.confirmed('a:1', confirm).then(() => settled.push('first'));
    const later = Array.from({ length: 5 }, (_, i) =>
      waits.confirmed('a:1', confirm).then(() => settled.push(`later ${i}`)),
    );
    await tick();
    expect(sent).toHaveLength(1);
    sent[0]!.settle();
    await first;
    await tick();
    // The first one was sent before the later callers' writes: they are not taken as confirmed by it.
    expect(settled).toEqual(['first']);
    expect(sent).toHaveLength(2);
    sent[1]!.settle();
    await Promise.all(later);
    expect(settled).toHaveLength(6);
    expect(sent).toHaveLength(2);
  });

  it('fails the callers of a confirmation that failed, and only them', async () => {
    const waits = new ReplicaWaits();
    const { sent, confirm } = confirmations();
    const first = waits.confirmed('a:1', confirm);
    const second = waits.confirmed('a:1', confirm);
    await tick();
    sent[0]!.settle(new Error('no replica confirmed'));
    await expect(first).rejects.toThrow('no replica confirmed');
    await tick();
    sent[1]!.settle();
    await expect(second).resolves.toBeUndefined();
  });

  it('keeps masters apart, and starts afresh once nothing is in flight', async () => {
    const waits = new ReplicaWaits();
    const { sent, confirm } = confirmations();
    const a = waits.confirmed('a:1', confirm);
    const b = waits.confirmed('b:2', confirm);
    await tick();
    expect(sent).toHaveLength(2);
    sent.forEach((s) => s.settle());
    await Promise.all([a, b]);
    const again = waits.confirmed('a:1', confirm);
    await tick();
    expect(sent).toHaveLength(3);
    sent[2]!.settle();
    await again;
  });
});
