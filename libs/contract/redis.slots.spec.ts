import { describe, expect, it } from 'vitest';
import { groupByHashTag, hashedPart, slotOf } from './redis.slots.js';

describe('slotOf', () => {
  it("matches Redis's own CLUSTER KEYSLOT answers", () => {
    // Values from the Redis Cluster specification and `CLUSTER KEYSLOT` on Redis 7.
    expect(slotOf('123456789')).toBe(12739);
    expect(slotOf('foo')).toBe(12182);
    expect(slotOf('somekey')).toBe(11058);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
    expect(slotOf('{user1000}.following')).toBe(slotOf('user1000'));
  });

  it('hashes the first non-empty tag only', () => {
    expect(hashedPart('fl:mb:{s12}:42')).toBe('s12');
    expect(hashedPart('foo{}{bar}')).toBe('foo{}{bar}');
    expect(hashedPart('foo{{bar}}zap')).toBe('{bar');
    expect(hashedPart('foo{bar}{zap}')).toBe('bar');
    expect(hashedPart('no tag}')).toBe('no tag}');
  });

  it('groups items by hash tag, keeping the order they came in', () => {
    const groups = groupByHashTag(['a{x}', 'b{y}', 'c{x}', 'd{y}', 'e{x}'], (k) => k);
    expect(groups).toEqual([
      ['a{x}', 'c{x}', 'e{x}'],
      ['b{y}', 'd{y}'],
    ]);
  });
});
