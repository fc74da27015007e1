import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  celebrityShare,
  followingBucket,
  parseCredentials,
  poolFor,
  seededRandom,
  WeightedPool,
} from './credentials.model.js';

const creds = parseCredentials(
  JSON.parse(readFileSync(new URL('./fixtures/tiny-credentials.json', import.meta.url), 'utf8')),
);

function frequencies(pool: WeightedPool<{ id: string }>, n: number): Record<string, number> {
  const random = seededRandom(42);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const id = pool.pick(random).id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([id, c]) => [id, c / n]));
}

describe('followingBucket', () => {
  it('puts readers in the bucket their following count falls in, edges included', () => {
    const at = [0, 9, 10, 49, 50, 199, 200, 5000].map(followingBucket);
    expect(at).toEqual(['0-9', '0-9', '10-49', '10-49', '50-199', '50-199', '200+', '200+']);
  });
});

describe('who sends', () => {
  it('readers-by-activity draws in proportion to activity, never a user with activity 0', () => {
    const f = frequencies(poolFor('readers-by-activity', creds), 62_000);
    // activity 1, 2, 4, 8, 16 of 31
    expect(f['1']).toBeUndefined();
    for (const [id, a] of [
      ['2', 1],
      ['3', 2],
      ['4', 4],
      ['5', 8],
      ['6', 16],
    ] as const)
      expect(f[id]).toBeCloseTo(a / 31, 2);
  });

  it('authors are uniform; celebrities are the listed ids; celebrity followers follow someone', () => {
    const authors = frequencies(poolFor('authors-uniform', creds), 60_000);
    for (const id of ['1', '2', '3', '4', '5', '6']) expect(authors[id]).toBeCloseTo(1 / 6, 2);
    expect(Object.keys(frequencies(poolFor('celebrities', creds), 1000)).sort()).toEqual(['1', '2']);
    expect(Object.keys(frequencies(poolFor('celebrity-followers', creds), 1000)).sort()).toEqual(['2', '3', '4', '5']);
  });

  it("celebrity-followers: activity x P(follows a celebrity), from the celebrities' share of all follows", () => {
    // Celebrities 1 and 2 have 5 + 4 of the 11 followers in the file: s = 9/11, so a user with k follows misses
    // every celebrity with probability (2/11)^k.
    expect(celebrityShare(creds)).toBeCloseTo(9 / 11, 12);
    const weights = {
      '2': 1 * (1 - 2 / 11),
      '3': 2 * (1 - (2 / 11) ** 2),
      '4': 4 * (1 - (2 / 11) ** 2),
      '5': 8 * (1 - (2 / 11) ** 3),
    };
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    const f = frequencies(poolFor('celebrity-followers', creds), 60_000);
    for (const [id, w] of Object.entries(weights)) expect(f[id]).toBeCloseTo(w / total, 2);
    const noCelebrities = { ...creds, celebrities: [] };
    expect(() => poolFor('celebrity-followers', noCelebrities)).toThrow(/every weight is 0/);
  });

  it('the same seed gives the same sequence', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('says what is wrong with a credentials file', () => {
    expect(() => parseCredentials({ users: [] })).toThrow(/"users" must be a non-empty array/);
    expect(() => parseCredentials({ users: [{ id: 1, token: 'x' }], celebrities: [] })).toThrow(
      /users\[0\] needs string "id" and "token"/,
    );
    expect(() =>
      parseCredentials({ users: [{ id: '1', token: 'x', followers: 0, following: 0 }], celebrities: [] }),
    ).toThrow(/users\[0\].activity/);
    const noCelebs = parseCredentials({
      users: [{ id: '1', token: 't', followers: 0, following: 0, activity: 1 }],
      celebrities: ['9'],
    });
    expect(() => poolFor('celebrities', noCelebs)).toThrow(/No user .* "celebrities"/);
  });
});
