import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byIdDesc, mergeNewestFirst, minId } from './merge.js';

const ids = fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 53n }), { maxLength: 40 });
const byId = (item: { id: string }) => item.id;
const newestFirst = (list: bigint[]) => [...list].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));

// Lists drawn from one small pool of ids (of different lengths), so that lists share ids, as a mailbox and a
// celebrity's posts do; each list newest first without repeats, as every caller's is.
const pool = fc.uniqueArray(fc.oneof(fc.bigInt({ min: 1n, max: 999n }), fc.bigInt({ min: 1n, max: 2n ** 53n })), {
  minLength: 1,
  maxLength: 30,
});
const sortedLists = pool.chain((ids) => fc.array(fc.subarray(ids).map(newestFirst), { minLength: 1, maxLength: 6 }));

describe('mergeNewestFirst', () => {
  it('equals sorting the union numerically, without duplicates, cut at the limit, each id from its first list', () => {
    fc.assert(
      fc.property(sortedLists, fc.integer({ min: 1, max: 50 }), (lists, limit) => {
        const tagged = lists.map((list, from) => list.map((id) => ({ id: String(id), from })));
        const firstList = new Map<bigint, number>();
        lists.forEach((list, from) => list.forEach((id) => firstList.has(id) || firstList.set(id, from)));
        const expected = newestFirst([...firstList.keys()])
          .slice(0, limit)
          .map((id) => ({ id: String(id), from: firstList.get(id) }));
        expect(mergeNewestFirst(tagged, limit, byId)).toEqual(expected);
      }),
    );
  });

  it('returns a single newest-first list as it is, cut at the limit', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 50 }), (a, limit) => {
        const sorted = [...a].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0)).map((id) => ({ id: String(id) }));
        expect(mergeNewestFirst([sorted], limit, byId)).toEqual(sorted.slice(0, limit));
      }),
    );
  });

  it('keeps the first occurrence of an id', () => {
    const merged = mergeNewestFirst([[{ id: '5', from: 'a' }], [{ id: '5', from: 'b' }]], 10, byId);
    expect(merged).toEqual([{ id: '5', from: 'a' }]);
  });
});

describe('byIdDesc and minId', () => {
  it('compare ids of different lengths as numbers', () => {
    expect(
      ['9', '10', '100']
        .map((id) => ({ id }))
        .sort(byIdDesc)
        .map((x) => x.id),
    ).toEqual(['100', '10', '9']);
    expect(minId('10', '9')).toBe('9');
    expect(minId(null, '9')).toBe('9');
  });
});
