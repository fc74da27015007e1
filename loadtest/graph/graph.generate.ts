import { POST_ID_EPOCH_MS, POST_ID_SEQ_BITS } from '#libs/contract';
import { type GraphParams, validateGraphParams } from './graph.params.js';
import { createRng, cumulative, drawIndex, logNormal, permutation, type Rng } from './graph.random.js';

/**
 * Pure, deterministic generation of the synthetic graph. Per-user quantities live in typed arrays and the
 * large outputs (follows, posts, tokens) are generators, so 10M follows never exist as one array of objects.
 * User ids are 1..users; array index i holds user id i + 1.
 */
export interface GraphPlan {
  params: GraphParams;
  /** Accounts each user follows (index = id - 1); the follow generator delivers exactly this many. */
  followCounts: Int32Array;
  /** Popularity rank → user index: a seeded permutation, so the most followed accounts are not just id 1, 2… */
  byPopularity: Int32Array;
  /** Relative activity (mean about 1): how often the user posts, and how often load scripts should read. */
  activity: Float64Array;
  totalFollows: number;
  totalPosts: number;
}

export interface FollowRow {
  followerId: number;
  /** Ascending ids of the accounts followed: no self-follow, no duplicates. */
  followeeIds: Int32Array;
}

export interface PostRow {
  /** Exactly what next_post_id() would give at createdAtMs: ((ms - 2024-01-01) << 12) | seq, ≤ 2^53. */
  id: number;
  authorId: number;
  createdAtMs: number;
  body: string;
}

/** Spread of the log-normal follow counts and activity weights: σ = 1 puts the 99th percentile near 10× the
 * mean, about what follow counts on real networks show. */
const FOLLOW_SIGMA = 1;
const ACTIVITY_SIGMA = 1;
const DAY_MS = 86_400_000;

export function planGraph(input: GraphParams): GraphPlan {
  const params = validateGraphParams(input);
  const n = params.users;
  const countsRng = createRng(params.seed, 'follow-counts');
  const followCounts = new Int32Array(n);
  let totalFollows = 0;
  for (let i = 0; i < n; i++) {
    const k = Math.min(n - 1, Math.max(1, Math.round(logNormal(countsRng, params.meanFollows, FOLLOW_SIGMA))));
    followCounts[i] = k;
    totalFollows += k;
  }
  const activityRng = createRng(params.seed, 'activity');
  const activity = new Float64Array(n);
  for (let i = 0; i < n; i++) activity[i] = logNormal(activityRng, 1, ACTIVITY_SIGMA);
  return {
    params,
    followCounts,
    byPopularity: permutation(createRng(params.seed, 'popularity'), n),
    activity,
    totalFollows,
    totalPosts: Math.round(n * params.postsPerUser),
  };
}

/** Zipf weights 1/r^s over popularity ranks r = 1..n. */
function zipfCdf(n: number, s: number): Float64Array {
  const w = new Float64Array(n);
  for (let r = 0; r < n; r++) w[r] = 1 / Math.pow(r + 1, s);
  return cumulative(w);
}

/** Follows, one row per user in id order. */
export function* generateFollows(plan: GraphPlan): Generator<FollowRow> {
  const n = plan.params.users;
  const cdf = zipfCdf(n, plan.params.zipfExponent);
  const rng = createRng(plan.params.seed, 'follows');
  // stamp[v] === u marks v as taken for follower u: O(1) duplicate check without a Set per user.
  const stamp = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) {
    const k = plan.followCounts[u];
    const out = new Int32Array(k);
    stamp[u] = u;
    let got = 0;
    // Rejection sampling is fast while k is small next to n; heavy followers in a small graph would need
    // ever more draws to hit the unpopular tail, so after a budget the rest are taken in popularity order.
    for (let attempts = 20 * k + 100; got < k && attempts > 0; attempts--) {
      const v = plan.byPopularity[drawIndex(cdf, rng)];
      if (stamp[v] === u) continue;
      stamp[v] = u;
      out[got++] = v + 1;
    }
    for (let r = 0; got < k; r++) {
      const v = plan.byPopularity[r];
      if (stamp[v] === u) continue;
      stamp[v] = u;
      out[got++] = v + 1;
    }
    // Ascending followees: rows arrive in primary-key order, so the (follower, followee) index fills in order.
    out.sort();
    yield { followerId: u + 1, followeeIds: out };
  }
}

const WORDS = (
  'the a timeline fan out push pull hybrid mailbox redis postgres queue latency p99 coffee today really ' +
  'new old fast slow graph follow post read write cache merge shard hot cold celebrity everyone maybe'
).split(' ');

function body(rng: Rng, authorId: number, n: number): string {
  let text = `#${n} from u${authorId}:`;
  for (let w = 3 + Math.floor(rng.next() * 15); w > 0; w--) text += ' ' + WORDS[Math.floor(rng.next() * WORDS.length)];
  return text;
}

/**
 * Posts in time order with strictly increasing ids. Times are stratified over the window (post k falls in the
 * k-th of `totalPosts` equal slices), which is uniform yet already sorted, so no sort of millions of rows is
 * needed; authors are drawn by activity weight.
 */
export function* generatePosts(plan: GraphPlan): Generator<PostRow> {
  const { params, totalPosts } = plan;
  const end = Date.parse(params.endAt);
  const window = params.historyDays * DAY_MS;
  const start = end - window;
  const authors = cumulative(plan.activity);
  const rng = createRng(params.seed, 'posts');
  const seqMax = (1 << POST_ID_SEQ_BITS) - 1;
  let lastMs = -1;
  let seq = 0;
  for (let k = 0; k < totalPosts; k++) {
    // min(): at 2^40 ms a double's rounding can land the last slice exactly on `end`, which is outside.
    let ms = Math.min(end - 1, Math.floor(start + (window * (k + rng.next())) / totalPosts)) - POST_ID_EPOCH_MS;
    // Same millisecond: the 12-bit sequence breaks the tie, as in next_post_id(); when it is used up the post
    // moves to the next millisecond, so ids stay unique and increasing.
    if (ms <= lastMs) {
      ms = lastMs;
      if (++seq > seqMax) {
        ms++;
        seq = 0;
      }
    } else seq = 0;
    lastMs = ms;
    const authorId = drawIndex(authors, rng) + 1;
    // ms < 2^41, so ms * 4096 + seq < 2^53: exact as a double, a Redis score and a JSON-safe integer.
    yield {
      id: ms * 2 ** POST_ID_SEQ_BITS + seq,
      authorId,
      createdAtMs: ms + POST_ID_EPOCH_MS,
      body: body(rng, authorId, k + 1),
    };
  }
}

/**
 * Bearer tokens in the service's format (`flt_` + base64url of 32 bytes), one per user in id order. They come
 * from the seed so a graph and its credentials file can be recreated; only use them on a benchmark database.
 */
export function* generateTokens(params: GraphParams): Generator<string> {
  const rng = createRng(params.seed, 'tokens');
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < params.users; i++) {
    for (let w = 0; w < 8; w++) bytes.writeUInt32LE(rng.uint32(), w * 4);
    yield 'flt_' + bytes.toString('base64url');
  }
}

/** Follower counts computed from the generator (for tests and reports without a database). */
export function followerCounts(plan: GraphPlan): Int32Array {
  const counts = new Int32Array(plan.params.users);
  for (const row of generateFollows(plan)) for (const v of row.followeeIds) counts[v - 1]++;
  return counts;
}
