import { POST_ID_EPOCH_MS, POST_ID_SEQ_BITS } from '#libs/contract';

/**
 * The load parameters of the synthetic social graph. Everything the generator produces is a pure function of
 * these values, so two runs with the same parameters load byte-identical data and their measurements compare.
 */
export interface GraphParams {
  /** PRNG seed (unsigned 32-bit integer). Same seed and parameters, same graph. */
  seed: number;
  /** Number of accounts; ids are 1..users and handles `u<id>`. */
  users: number;
  /** Mean accounts followed per user. Individual counts are log-normal around it (σ = 1), clamped to
   * 1..users-1, so a few users follow thousands while most follow a few dozen, as on real networks. */
  meanFollows: number;
  /** Zipf exponent s of popularity: the account of popularity rank r is chosen as a followee with weight
   * 1/r^s. Around 1 this gives the heavy-tailed follower counts of real networks (at 10k users the top account
   * is followed by nearly everyone); 0 is uniform; larger is more concentrated. */
  zipfExponent: number;
  /** Mean posts per user. Authors are drawn by activity weight, so post counts are skewed like real ones. */
  postsPerUser: number;
  /** Followers at which an account counts as a celebrity (the hybrid strategy's pull side); used to list the
   * celebrities for the load scripts, not written to the service's flags. */
  celebrityThreshold: number;
  /** The posts are spread uniformly over this many days before `endAt`. */
  historyDays: number;
  /** End of the post history (ISO 8601). Fixed rather than "now" so post ids are reproducible; must not be in
   * the future, or posts written by the service later would sort before the seeded ones. */
  endAt: string;
}

const DAY_MS = 86_400_000;

/** Start of the current UTC day: stable for a whole day of runs, and never later than now. */
export function defaultEndAt(now = Date.now()): string {
  return new Date(Math.floor(now / DAY_MS) * DAY_MS).toISOString();
}

export function defaultGraphParams(now = Date.now()): GraphParams {
  return {
    seed: 1,
    users: 10_000,
    meanFollows: 50,
    zipfExponent: 1.0,
    postsPerUser: 20,
    celebrityThreshold: 1_000,
    historyDays: 30,
    endAt: defaultEndAt(now),
  };
}

/** Problems with the parameters, empty when they are usable. */
export function graphParamsProblems(p: GraphParams): string[] {
  const problems: string[] = [];
  const int = (name: keyof GraphParams, min: number, max: number) => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      problems.push(`${name} must be an integer in ${min}..${max} (got ${String(v)})`);
  };
  const num = (name: keyof GraphParams, min: number, max: number) => {
    const v = p[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      problems.push(`${name} must be a number in ${min}..${max} (got ${String(v)})`);
  };
  int('seed', 0, 0xffff_ffff);
  // Ids are kept in Int32Arrays; 10M users is far beyond what one machine loads in minutes anyway.
  int('users', 2, 10_000_000);
  num('meanFollows', 1, Math.max(1, p.users - 1));
  num('zipfExponent', 0, 4);
  num('postsPerUser', 0, 10_000);
  int('celebrityThreshold', 1, 2 ** 31 - 1);
  num('historyDays', 1 / DAY_MS, 3650); // down to 1 ms, for tests of dense histories
  const end = Date.parse(p.endAt);
  if (Number.isNaN(end)) problems.push(`endAt must be an ISO 8601 time (got ${String(p.endAt)})`);
  else if (end - p.historyDays * DAY_MS < POST_ID_EPOCH_MS)
    problems.push('the post history must start on or after 2024-01-01 (the post id epoch)');
  // Ties within one millisecond are broken by the 12-bit sequence; more than 4096 posts per ms on average
  // could not fit and would push ids past endAt.
  const posts = Math.round(p.users * p.postsPerUser);
  if (posts > p.historyDays * DAY_MS * 2 ** POST_ID_SEQ_BITS) problems.push('too many posts for the history window');
  return problems;
}

export function validateGraphParams(p: GraphParams): GraphParams {
  const problems = graphParamsProblems(p);
  if (problems.length) throw new Error(`Invalid graph parameters: ${problems.join('; ')}`);
  return p;
}
