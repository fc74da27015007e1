import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postTimeMs } from '#libs/contract';
import { followerCounts, generateFollows, generatePosts, generateTokens, planGraph } from './graph.generate.js';
import { defaultGraphParams, graphParamsProblems, type GraphParams } from './graph.params.js';
import { followerSummary } from './graph.report.js';

const END = '2026-11-01T00:00:00.000Z';
const params = (p: Partial<GraphParams> = {}): GraphParams => ({ ...defaultGraphParams(), endAt: END, ...p });

/** Order-sensitive digest of everything the generator emits, to compare graphs without storing them. */
function fingerprint(p: GraphParams): string {
  const plan = planGraph(p);
  let h = 0;
  const mix = (v: number) => {
    h = ((Math.imul(h ^ v, 0x01000193) + v / 4294967296) | 0) >>> 0;
  };
  for (const row of generateFollows(plan)) {
    mix(row.followerId);
    for (const v of row.followeeIds) mix(v);
  }
  for (const post of generatePosts(plan)) {
    mix(post.id % 4294967296);
    mix(post.authorId);
    mix(post.body.length);
  }
  for (const token of generateTokens(p)) mix(token.charCodeAt(10));
  return h.toString(16);
}

describe('synthetic graph generator', () => {
  it('is deterministic: same seed, same graph; another seed, another graph', () => {
    const small = params({ users: 2_000, meanFollows: 20, postsPerUser: 5 });
    expect(fingerprint(small)).toBe(fingerprint({ ...small }));
    expect(fingerprint({ ...small, seed: 2 })).not.toBe(fingerprint(small));
    expect([...generateTokens(small)].slice(0, 3)).toEqual([...generateTokens(small)].slice(0, 3));
  });

  it('never self-follows or duplicates, and delivers each planned follow count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.nat({ max: 0xffff_ffff }),
        (users, meanFollows, zipfExponent, seed) => {
          const plan = planGraph(params({ users, meanFollows: Math.min(meanFollows, users - 1), zipfExponent, seed }));
          // Checked in plain code and asserted once: an expect() per follow would dominate the run time.
          const bad: string[] = [];
          for (const row of generateFollows(plan)) {
            const f = row.followeeIds;
            if (f.length !== plan.followCounts[row.followerId - 1]) bad.push(`count of ${row.followerId}`);
            for (let i = 0; i < f.length; i++) {
              if (f[i] === row.followerId) bad.push(`self-follow ${f[i]}`);
              if (f[i] < 1 || f[i] > users) bad.push(`unknown user ${f[i]}`);
              if (i > 0 && f[i] <= f[i - 1]) bad.push(`duplicate or unsorted ${row.followerId}->${f[i]}`);
            }
          }
          expect(bad).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps the mean follow count near the parameter', () => {
    for (const meanFollows of [10, 50, 100]) {
      const plan = planGraph(params({ users: 10_000, meanFollows }));
      expect(plan.totalFollows / 10_000).toBeGreaterThan(meanFollows * 0.95);
      expect(plan.totalFollows / 10_000).toBeLessThan(meanFollows * 1.05);
    }
  });

  it('gives heavy-tailed follower counts: at 10k users the top account has thousands of followers', () => {
    const plan = planGraph(params({ users: 10_000, meanFollows: 50 }));
    const s = followerSummary(followerCounts(plan));
    expect(s.max).toBeGreaterThan(2_000);
    expect(s.p50).toBeLessThan(50); // most accounts are followed by fewer than the mean…
    expect(s.p99).toBeGreaterThan(5 * 50); // …and a few by far more
    // Popularity is a seeded permutation, not the lowest ids.
    expect(s.top10.map((t) => t.id)).not.toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('makes post ids like next_post_id: strictly increasing, at most 2^53, matching the timestamp', () => {
    const p = params({ users: 5_000, postsPerUser: 20, historyDays: 30 });
    const end = Date.parse(END);
    const bad: string[] = [];
    let last = -1;
    let count = 0;
    for (const post of generatePosts(planGraph(p))) {
      if (post.id <= last) bad.push(`not increasing at ${post.id}`);
      if (!Number.isSafeInteger(post.id) || post.id > 2 ** 53) bad.push(`id too large ${post.id}`);
      if (postTimeMs(String(post.id)) !== post.createdAtMs) bad.push(`id/time mismatch ${post.id}`);
      if (post.createdAtMs < end - 30 * 86_400_000 || post.createdAtMs >= end) bad.push(`outside window ${post.id}`);
      if (post.authorId < 1 || post.authorId > 5_000) bad.push(`unknown author ${post.authorId}`);
      if ([...post.body].length > 280) bad.push(`body too long ${post.id}`);
      last = post.id;
      count++;
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(count).toBe(100_000);
  });

  it('breaks same-millisecond ties with the 12-bit sequence', () => {
    // 40k posts in 10 ms: about 4000 per millisecond, close to the 4096 the sequence can number.
    const p = params({ users: 1_000, postsPerUser: 40, historyDays: 10 / 86_400_000 });
    const end = Date.parse(END);
    let last = -1;
    let ties = 0;
    let bad = 0;
    for (const post of generatePosts(planGraph(p))) {
      if (post.id <= last || post.createdAtMs >= end) bad++;
      if (post.id % 4096 > 0) ties++;
      last = post.id;
    }
    expect(bad).toBe(0);
    expect(ties).toBeGreaterThan(39_000);
    expect(graphParamsProblems({ ...p, postsPerUser: 41 })).toContain('too many posts for the history window');
  });

  it('issues tokens in the service format', () => {
    const tokens = [...generateTokens(params({ users: 100 }))];
    expect(new Set(tokens).size).toBe(100);
    for (const t of tokens) expect(t).toMatch(/^flt_[A-Za-z0-9_-]{43}$/);
  });

  it('rejects unusable parameters', () => {
    expect(graphParamsProblems(params())).toEqual([]);
    expect(graphParamsProblems(params({ users: 1 }))).not.toEqual([]);
    expect(graphParamsProblems(params({ meanFollows: 0 }))).not.toEqual([]);
    expect(graphParamsProblems(params({ users: 10, meanFollows: 20 }))).not.toEqual([]);
    expect(graphParamsProblems(params({ seed: -1 }))).not.toEqual([]);
    expect(graphParamsProblems(params({ endAt: 'soon' }))).not.toEqual([]);
    expect(graphParamsProblems(params({ endAt: '2024-01-10T00:00:00Z', historyDays: 30 }))).not.toEqual([]);
    expect(() => planGraph(params({ zipfExponent: -1 }))).toThrow(/zipfExponent/);
  });
});
