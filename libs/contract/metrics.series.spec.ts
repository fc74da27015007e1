import { describe, expect, it } from 'vitest';
import { FOLLOWER_BUCKETS, followerBucket } from './metrics.series.js';

describe('followerBucket', () => {
  it('puts each edge in the lower bucket, and covers every bucket', () => {
    const at = [0, 100, 101, 1000, 1001, 10_000, 10_001].map(followerBucket);
    expect(at).toEqual(['0-100', '0-100', '101-1k', '101-1k', '1k-10k', '1k-10k', '10k+']);
    expect(new Set(at)).toEqual(new Set(FOLLOWER_BUCKETS));
  });
});
