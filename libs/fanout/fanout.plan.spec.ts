import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { followerRanges } from './fanout.plan.js';

function covered(range: { afterFollowerId: string | null; throughFollowerId: string | null }, id: bigint) {
  return (
    (range.afterFollowerId === null || id > BigInt(range.afterFollowerId)) &&
    (range.throughFollowerId === null || id <= BigInt(range.throughFollowerId))
  );
}

describe('followerRanges', () => {
  it('covers every follower id exactly once, the author once', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: 1n, max: 10_000n }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 10 }),
        (followers, size) => {
          const sorted = [...followers].sort((a, b) => (a < b ? -1 : 1));
          const bounds = sorted.filter((_, i) => (i + 1) % size === 0).map(String);
          const ranges = followerRanges(bounds);
          for (const id of sorted) expect(ranges.filter((r) => covered(r, id))).toHaveLength(1);
          expect(ranges.filter((r) => r.includeAuthor)).toHaveLength(1);
          expect(ranges).toHaveLength(bounds.length + 1);
        },
      ),
    );
  });
});
