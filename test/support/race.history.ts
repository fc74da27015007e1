import fc from 'fast-check';

/** Users of one generated history: few, so follows, posts and jobs meet on the same mailboxes. */
export const USERS = 6;

/** A change a user or the admin commits, as the API would (the jobs it leads to run concurrently after it). */
export type Change =
  | { kind: 'follow' | 'unfollow'; from: number; to: number }
  | { kind: 'post'; author: number }
  /** The author's latest live post (none: nothing to delete). */
  | { kind: 'delete'; author: number }
  | { kind: 'rebuild'; users: number[] }
  | { kind: 'forget'; user: number }
  | { kind: 'threshold'; value: number }
  | { kind: 'strategy'; strategy: 'push' | 'hybrid' };

/** A change, and how many steps of the fan-out work run before it is committed (the user's think time). */
export type Op = Change & { gap: number };

/** The state before the history: a graph with posts, and mailboxes for some users (the others have none yet). */
export interface Start {
  mailboxSize: number;
  strategy: 'push' | 'hybrid';
  threshold: number;
  follows: [number, number][];
  posts: number[];
  mailboxes: boolean[];
}

/**
 * Bursts of changes: the ops of a burst commit one after another while the jobs of the earlier ones run; then the
 * queue drains and every timeline is checked, before the next burst. Each drain is a point where the invariant must
 * hold, so a race is caught before a later rebuild or settle hides its effect.
 */
export interface History {
  start: Start;
  bursts: Op[][];
}

/**
 * The race family a history is made of (each a property of its own, so its races are frequent enough to be met):
 * `delivery`: deliveries racing unfollows of their readers, deletes, and follow/unfollow flips (races 1, 2, 4);
 * `rebuild`: rebuilds racing their owner's follows and unfollows and the followees' posts, follows racing new posts
 * and a rebuild (races 3, 4); `celebrity`: under hybrid with a low threshold, authors entering pull mode while readers
 * follow them, threshold and strategy changes racing posts (demotions), mailboxes Redis lost rebuilt while a
 * celebrity posts (races 3, 5, 6).
 */
export type Profile = 'delivery' | 'rebuild' | 'celebrity';
export const PROFILES: Profile[] = ['delivery', 'rebuild', 'celebrity'];

const user = fc.integer({ min: 0, max: USERS - 1 });
const users = Array.from({ length: USERS }, (_, i) => i);
/** Two different users: self-follows are refused by the API, so they would only waste steps. */
const pair = fc
  .tuple(user, fc.integer({ min: 1, max: USERS - 1 }))
  .map(([a, shift]): [number, number] => [a, (a + shift) % USERS]);
const gap = fc.integer({ min: 0, max: 5 });

/** Changes that race each other by design, committed in this order (each after its gap). */
type Scenario = Change[];

const post = (author: number): Change => ({ kind: 'post', author });
const follow = (from: number, to: number): Change => ({ kind: 'follow', from, to });
const unfollow = (from: number, to: number): Change => ({ kind: 'unfollow', from, to });
const rebuild = (...who: number[]): Change => ({ kind: 'rebuild', users: [...new Set(who)] });
const del = (author: number): Change => ({ kind: 'delete', author });
/**
 * A user and two or three others: several changes of one kind race better than one, since under uniform picks a job
 * is caught in a one-step window (between its read of PostgreSQL and its write to Redis) only a few times in a hundred.
 */
const oneAndOthers = fc
  .tuple(user, fc.shuffledSubarray(users, { minLength: 3, maxLength: 4 }))
  .map(([one, all]) => ({ one, others: all.filter((o) => o !== one).slice(0, 3) }));

/** Readers unfollow an author whose posts are being delivered to them (race 1). */
const unfollowsRacingDeliveries = oneAndOthers.map(({ one: a, others }) => [
  ...others.map((r) => follow(r, a)),
  post(a),
  post(a),
  post(a),
  ...others.map((r) => unfollow(r, a)),
]);

/** Posts deleted while they are being delivered (race 2). */
const deletesRacingDeliveries = user.map((a) => [post(a), post(a), del(a), post(a), del(a)]);

/** A reader flips between following and unfollowing an author who posts: the syncs of one pair race (race 4). */
const flips = fc
  .tuple(pair, fc.integer({ min: 2, max: 4 }))
  .map(([[a, r], n]) => [
    post(a),
    ...Array.from({ length: n }, (_, i) => (i % 2 === 0 ? follow(r, a) : unfollow(r, a))),
    post(a),
  ]);

/**
 * A rebuild of r's mailbox (with others', as the admin's rebuild of every mailbox) racing r's follows and unfollows,
 * then the posts of those followees, which a stale following set would lose (race 3).
 */
const rebuildsRacingFollows = fc
  .tuple(oneAndOthers, fc.subarray(users, { maxLength: 2 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
  .map(([{ one: r, others }, alsoRebuilt, follows]) => [
    rebuild(r, ...alsoRebuilt),
    ...others.map((a, i) => (follows[i] ? follow(r, a) : unfollow(r, a))),
    ...others.map(post),
    ...others.map(post),
  ]);

/** Follows (their backfills) racing the followee's new posts and a rebuild of the followers (race 4). */
const followsRacingPosts = oneAndOthers.map(({ one: a, others }) => [
  post(a),
  ...others.map((r) => follow(r, a)),
  post(a),
  rebuild(...others),
  post(a),
]);

/** An author reaching the threshold posts (entering pull mode, announced) while readers follow them (race 5). */
const followsRacingPullMode = oneAndOthers.map(({ one: a, others }) => [
  post(a),
  ...others.map((r) => follow(r, a)),
  post(a),
  post(a),
]);

/** Threshold and strategy changes racing an author's posts: entering pull mode, demotion (races 5 and 6). */
const flagsRacingPosts = fc
  .tuple(user, fc.integer({ min: 1, max: 4 }), fc.constantFrom('push' as const, 'hybrid' as const))
  .map(([a, value, strategy]): Scenario => [
    post(a),
    { kind: 'threshold', value },
    post(a),
    { kind: 'strategy', strategy },
    post(a),
  ]);

/** Redis lost r's mailbox; r follows an author and is rebuilt while the author posts (races 3 and 5). */
const lostMailboxes = pair.map(([a, r]): Scenario => [
  { kind: 'forget', user: r },
  follow(r, a),
  post(a),
  rebuild(r),
  post(a),
  post(a),
]);

/** Anything else, one change. */
const single = fc.oneof(
  pair.map(([a, b]) => [follow(a, b)]),
  pair.map(([a, b]) => [unfollow(a, b)]),
  user.map((a) => [post(a)]),
  fc.subarray(users, { minLength: 1 }).map((u) => [rebuild(...u)]),
);

const SCENARIOS: Record<Profile, fc.WeightedArbitrary<Scenario>[]> = {
  delivery: [
    { weight: 4, arbitrary: unfollowsRacingDeliveries },
    { weight: 2, arbitrary: deletesRacingDeliveries },
    { weight: 3, arbitrary: flips },
    { weight: 1, arbitrary: single },
  ],
  rebuild: [
    { weight: 4, arbitrary: rebuildsRacingFollows },
    { weight: 2, arbitrary: followsRacingPosts },
    { weight: 1, arbitrary: single },
  ],
  celebrity: [
    { weight: 3, arbitrary: followsRacingPullMode },
    { weight: 3, arbitrary: flagsRacingPosts },
    { weight: 2, arbitrary: lostMailboxes },
    { weight: 1, arbitrary: unfollowsRacingDeliveries },
    { weight: 1, arbitrary: single },
  ],
};

const allPairs = Array.from(
  { length: USERS * USERS },
  (_, i) => [Math.floor(i / USERS), i % USERS] as [number, number],
).filter(([a, b]) => a !== b);

export function historyOf(profile: Profile): fc.Arbitrary<History> {
  const start = fc.record({
    // Full mailboxes settle at every delivery, fuller ones keep recent deliveries unsorted longer: both are met.
    mailboxSize: fc.integer({ min: 4, max: 14 }),
    strategy: fc.constant(profile === 'celebrity' ? ('hybrid' as const) : ('push' as const)),
    threshold: profile === 'celebrity' ? fc.integer({ min: 2, max: 3 }) : fc.constant(1000),
    follows: fc.subarray(allPairs, { maxLength: 20 }),
    posts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: USERS, maxLength: USERS }),
    // Most users have a mailbox; one without gets it from a rebuild, racing what happens meanwhile.
    mailboxes: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)), {
      minLength: USERS,
      maxLength: USERS,
    }),
  });
  const withGaps = (changes: Change[]) =>
    fc
      .array(gap, { minLength: changes.length, maxLength: changes.length })
      .map((gaps) => changes.map((change, i) => ({ ...change, gap: gaps[i]! })));
  const burst = fc
    .array(fc.oneof(...SCENARIOS[profile]), { minLength: 1, maxLength: 2 })
    .chain((list) => withGaps(list.flat()));
  return fc.record({ start, bursts: fc.array(burst, { minLength: 1, maxLength: 3 }) });
}

/** The change with its target resolved against the model (which post goes), for the report. */
export function describeOp(op: Change, model: Model): string {
  switch (op.kind) {
    case 'follow':
    case 'unfollow':
      return `u${op.from} ${op.kind}s u${op.to}`;
    case 'post':
      return `u${op.author} posts p${model.posts.length}`;
    case 'delete': {
      const post = model.deleteTarget(op.author);
      return post ? `u${op.author} deletes p${model.posts.indexOf(post)}` : `u${op.author} deletes nothing`;
    }
    case 'rebuild':
      return `rebuild the mailboxes of ${op.users.map((u) => `u${u}`).join(' ')}`;
    case 'forget':
      return `Redis loses the mailbox of u${op.user}`;
    case 'threshold':
      return `celebrity threshold ${op.value}`;
    case 'strategy':
      return `strategy ${op.strategy}`;
  }
}

/** What the history says each timeline holds: the reader's own posts and their followees', live, newest first. */
export class Model {
  readonly follows = new Set<string>();
  readonly posts: { id: string; author: number; deleted: boolean }[] = [];

  timeline(reader: number): string[] {
    return this.posts
      .filter((p) => !p.deleted && (p.author === reader || this.follows.has(`${reader}>${p.author}`)))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .map((p) => p.id);
  }

  /** The author's latest live post. */
  deleteTarget(author: number) {
    return this.posts.findLast((p) => p.author === author && !p.deleted);
  }
}
