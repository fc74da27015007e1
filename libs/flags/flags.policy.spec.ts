import { describe, expect, it } from 'vitest';
import { fansOut, nextEpoch } from './flags.policy.js';

describe('fansOut', () => {
  it('follows the strategy table', () => {
    expect(fansOut({ strategy: 'push', celebrityThreshold: 10 }, 1_000_000)).toBe(true);
    expect(fansOut({ strategy: 'pull', celebrityThreshold: 10 }, 0)).toBe(false);
    expect(fansOut({ strategy: 'hybrid', celebrityThreshold: 10 }, 9)).toBe(true);
    expect(fansOut({ strategy: 'hybrid', celebrityThreshold: 10 }, 10)).toBe(false);
  });
});

describe('nextEpoch', () => {
  it('starts a new epoch when entering or leaving pull', () => {
    expect(nextEpoch(3, 'hybrid', 'pull')).toBe(4);
    expect(nextEpoch(3, 'pull', 'push')).toBe(4);
    expect(nextEpoch(3, 'push', 'hybrid')).toBe(3);
    expect(nextEpoch(3, 'pull', 'pull')).toBe(3);
  });
});
