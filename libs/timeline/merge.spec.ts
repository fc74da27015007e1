import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byIdDesc, mergeNewestFirst, minId } from './merge.js';

const ids = fc.uniqueArray(fc.bigInt({ min: 1n, max: 2n ** 53n }), { maxLength: 40 });

describe('mergeNewestFirst', () => {
  it('equals sorting the union numerically, without duplicates, cut at the limit', () => {
    fc.assert(
      fc.property(ids, ids, fc.integer({ min: 1, max: 50 }), (a, b, limit) => {
        const lists = [a.map((id) => ({ id: String(id) })), b.map((id) => ({ id: String(id) }))];
        const expected = [...new Set([...a, ...b])]
          .sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))
          .slice(0, limit)
          .map(String);
        expect(mergeNewestFirst(lists, limit).map((x) => x.id)).toEqual(expected);
      }),
    );
  });

  it('returns a single newest-first list as it is, cut at the limit', () => {
    fc.assert(
      fc.property(ids, fc.integer({ min: 1, max: 50 }), (a, limit) => {
        const sorted = [...a].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0)).map((id) => ({ id: String(id) }));
        expect(mergeNewestFirst([sorted], limit)).toEqual(sorted.slice(0, limit));
      }),
    );
  });

  it('keeps the first occurrence of an id', () => {
    const merged = mergeNewestFirst([[{ id: '5', from: 'a' }], [{ id: '5', from: 'b' }]], 10);
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
