import type { Who } from './scenario.model.js';

// The credentials file is written by the graph seeder (loadtest/graph). Only the fields the driver uses are checked;
// the rest (seed, params, topFollowers) is carried for the report.

export interface CredentialUser {
  id: string;
  token: string;
  followers: number;
  following: number;
  activity: number;
}

export interface Credentials {
  users: CredentialUser[];
  celebrities: string[];
}

export function parseCredentials(raw: unknown, source = 'credentials'): Credentials {
  const fail = (why: string): never => {
    throw new Error(`Invalid credentials (${source}): ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('the file must hold a JSON object');
  const { users, celebrities } = raw as Record<string, unknown>;
  if (!Array.isArray(users) || users.length === 0) return fail('"users" must be a non-empty array');
  users.forEach((u: Record<string, unknown>, i) => {
    if (typeof u?.id !== 'string' || typeof u.token !== 'string' || u.token === '') {
      fail(`users[${i}] needs string "id" and "token"`);
    }
    for (const k of ['followers', 'following', 'activity']) {
      if (typeof u[k] !== 'number' || !((u[k] as number) >= 0)) fail(`users[${i}].${k} must be a number >= 0`);
    }
  });
  if (!Array.isArray(celebrities) || !celebrities.every((c) => typeof c === 'string')) {
    return fail('"celebrities" must be an array of user ids (strings)');
  }
  return { users: users as CredentialUser[], celebrities: celebrities as string[] };
}

/** Readers grouped by how many accounts they follow: a pull read joins that many authors' posts. */
export const FOLLOWING_BUCKETS = ['0-9', '10-49', '50-199', '200+'] as const;
export type FollowingBucket = (typeof FOLLOWING_BUCKETS)[number];

export function followingBucket(following: number): FollowingBucket {
  if (following < 10) return '0-9';
  if (following < 50) return '10-49';
  if (following < 200) return '50-199';
  return '200+';
}

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same users and mix on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Items with cumulative weights; a pick is one binary search, so 1M users cost nothing per send. */
export class WeightedPool<T> {
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
    this.total = sum;
  }

  pick(random: () => number): T {
    const target = random() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

/**
 * Share of all follow edges that point at a celebrity. The seeder draws followees in proportion to popularity, so each
 * of a user's follows lands on a celebrity with about this probability.
 */
export function celebrityShare(creds: Credentials): number {
  const celebrityIds = new Set(creds.celebrities);
  let celebrityFollowers = 0;
  let allFollowers = 0;
  for (const u of creds.users) {
    allFollowers += u.followers;
    if (celebrityIds.has(u.id)) celebrityFollowers += u.followers;
  }
  return allFollowers === 0 ? 0 : Math.min(1, celebrityFollowers / allFollowers);
}

type Rule = [filter: (u: CredentialUser) => boolean, weight: (u: CredentialUser) => number];

/**
 * Who sends a request. `celebrity-followers` is an estimate, as the credentials carry no edge list: each user weighs
 * activity × P(follows at least one celebrity) = activity × (1 − (1 − s)^following), s = celebrityShare. Same
 * arithmetic, in the same order, as poolOf in loadtest/k6/plan.js (a unit test compares them). See
 * loadtest/scenarios/README.md.
 */
export function poolFor(who: Who, creds: Credentials): WeightedPool<CredentialUser> {
  const celebrityIds = new Set(creds.celebrities);
  const miss = 1 - celebrityShare(creds);
  const rules: Record<Who, Rule> = {
    'readers-by-activity': [() => true, (u) => u.activity],
    'authors-uniform': [() => true, () => 1],
    celebrities: [(u) => celebrityIds.has(u.id), () => 1],
    'celebrity-followers': [() => true, (u) => u.activity * (1 - Math.pow(miss, u.following))],
  };
  const [filter, weight] = rules[who];
  const users = creds.users.filter((u) => filter(u) && weight(u) > 0);
  if (users.length === 0) {
    throw new Error(
      `No user in the credentials can act as "${who}"` +
        (who === 'celebrities' ? ' (no id in "celebrities" matches a user with a token)' : ' (every weight is 0)'),
    );
  }
  return new WeightedPool(users, users.map(weight));
}
