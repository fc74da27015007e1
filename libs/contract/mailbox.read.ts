import { entryOf, type MailboxEntry } from './mailbox.entry.js';

// How a mailbox is laid out in Redis and read: the READ script and its decoding, and the post cache's tombstone. The
// product's stores use exactly these, and so does a tool that must do the same Redis work (the ceiling server).
//
// A mailbox is a list of members "postId:authorId" starting with the sentinel '0' (a built mailbox always exists, so a
// delivery can push only into built ones, with RPUSHX). Deliveries push at the tail, so the list is a part kept sorted
// oldest first, without duplicates, under an unsorted recent part of the latest deliveries; the mailbox state (a hash)
// says how long the sorted part is (`sorted`, the sentinel included). Every `slack` pushes the recent part is settled
// into the sorted part (libs/mailbox/mailbox.scripts.ts), so a read takes the whole recent part (at most a few dozen
// members) and the page's part of the sorted part, and sorts them. Everything with id >= `floor` that the owner should
// see is in the list (once delivered); below it, PostgreSQL has the rest. Newest at the tail because a push at the
// head of a list moves its first node (up to 8 KB): RPUSHX cost 0.67-0.73 µs a write against LPUSHX's 0.87-0.95 on an
// 800-entry list.

/** What the post cache holds for a deleted post (a tombstone, so a miss is not read from PostgreSQL again). */
export const DELETED_POST = '-';

/** The list's first member: a built mailbox is never empty, so RPUSHX writes into built mailboxes only. */
export const MAILBOX_SENTINEL = '0';

/**
 * Lua helpers shared by the mailbox scripts. Members compare as their post ids do (mailbox.entry.ts), so scripts sort
 * and compare them as strings; an id is parsed only to move the floor.
 */
export const MAILBOX_LUA = `
local sub, format = string.sub, string.format
local function idOf(m) return tonumber(sub(m, 1, 16)) end
local function authorOf(m) return sub(m, 18) end
local function keyOf(id) return format('%016.0f', id) end
local function fmt(n) return format('%.0f', n) end
-- The members whose author the owner follows (their own posts too), in order: one SMISMEMBER for all of them.
local function followedOnly(fw, owner, members)
  if #members == 0 then return members end
  local authors = {}
  for i, m in ipairs(members) do authors[i] = authorOf(m) end
  local flags = redis.call('SMISMEMBER', fw, unpack(authors))
  local out = {}
  for i, m in ipairs(members) do
    if flags[i] == 1 or authors[i] == owner then out[#out + 1] = m end
  end
  return out
end
`;

/**
 * The reader's requests in the current window of `window` ms, on the counter @fastify/rate-limit keeps for the user
 * (apps/api/src/rate.limits.ts): the same fixed window, started by the first request and never extended. Returns
 * the count with this request and the window's milliseconds left.
 */
export const REQUEST_COUNT_LUA = `
local function countRequest(key, window)
  local n = redis.call('INCR', key)
  local left = n > 1 and redis.call('PTTL', key) or -1
  -- A counter without an expiry (its first request's PEXPIRE lost) would hold the user to it forever.
  if left < 0 then redis.call('PEXPIRE', key, window); left = window end
  return n, left
end
`;

/** KEYS: the user's request counter. ARGV: window ms. Returns {count, ms left}. */
export const COUNT_REQUEST = `${REQUEST_COUNT_LUA}
local n, left = countRequest(KEYS[1], tonumber(ARGV[1]))
return {n, left}
`;

/** How many keys READ takes. */
export const READ_KEYS = 6;

/**
 * KEYS: mailbox, state, following, followed pull-mode authors, the reader's request counter, the author timeline
 * versions hash of the reader's slot (RedisKeys.authorVersions). ARGV: epoch, before ('' for the newest), want, owner,
 * the request window ms, the most requests in it (0: this read is not counted), '1' for the versions.
 * With '1' the reply has, after the followed pull-mode authors, the versions of the owner's and of those authors'
 * timelines (in that order) from the versions hash: a hybrid read learns which celebrity timelines it holds are
 * current in this round trip instead of one of its own (null for an author of another slot: not in this hash).
 * Counted first, so the API's per-user rate limit costs a timeline read no round trip of its own (it was one script
 * call per request, a tenth of the push read's CPU): over the limit the reply is {'limited', count, ms left} and
 * nothing is read. Otherwise the last two elements are the count and the ms left ({0, 0} when not counted), after
 * {'invalid'} for a mailbox of another epoch or one being rebuilt, else after {floor, edge, members, followed
 * pull-mode authors, versions}: the page's part is the `want` members of the sorted part below `before` (found by binary
 * search), and `edge` the oldest of them when there are `want` (else ''); members are the page's part and the whole
 * recent part, of authors the owner follows only. Deliveries are not checked against the following set when they are
 * written or settled: a post of someone unfollowed meanwhile (a batch that read the followers before the unfollow)
 * stops here, in the one SMISMEMBER a read makes anyway, and lies unseen in the list until trimmed. Checked at every
 * settle instead, it cost a delivery ~0.35 µs of Redis (an eighth) against ~1 µs a read.
 */
export const READ = `${MAILBOX_LUA}${REQUEST_COUNT_LUA}
local mb, ms, fw, pf = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local n, left, most = 0, 0, tonumber(ARGV[6])
if most > 0 then
  n, left = countRequest(KEYS[5], tonumber(ARGV[5]))
  if n > most then return {'limited', n, left} end
end
local st = redis.call('HMGET', ms, 'epoch', 'build', 'floor', 'sorted')
if st[1] ~= ARGV[1] or (st[2] and st[2] ~= '') then return {'invalid', n, left} end
local want = tonumber(ARGV[3])
local sorted = tonumber(st[4] or '1')
-- The page ends (exclusive) at the first sorted member at or above before, or with the sorted part.
local hi = sorted
if ARGV[2] ~= '' then
  local before, lo = keyOf(tonumber(ARGV[2])), 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('LINDEX', mb, mid) >= before then hi = mid else lo = mid + 1 end
  end
end
local page = redis.call('LRANGE', mb, math.max(1, hi - want), hi - 1)
local edge = #page == want and page[1] or ''
for _, m in ipairs(redis.call('LRANGE', mb, sorted, -1)) do page[#page + 1] = m end
local followees, versions = redis.call('SMEMBERS', pf), {}
if ARGV[7] == '1' then versions = redis.call('HMGET', KEYS[6], ARGV[4], unpack(followees)) end
return {st[3] or '0', edge, followedOnly(fw, ARGV[4], page), followees, versions, n, left}
`;

/** A per-user request limit READ counts against: at most `max` requests in each window of `windowMs`. */
export interface RequestLimit {
  windowMs: number;
  max: number;
}

/** A request counted by READ or COUNT_REQUEST: how many in the window so far, this one included, and its ms left. */
export interface RequestCount {
  count: number;
  msLeft: number;
}

export type MailboxRead = (
  | { valid: false; /** Over the reader's request limit: nothing was read. */ limited: boolean }
  | {
      valid: true;
      /** Below it the mailbox may miss posts: PostgreSQL has them. */
      floor: string;
      /** The page's entries are complete down to here (inclusive): the floor when the mailbox ran out. */
      bound: string;
      /** The mailbox has nothing more below `bound` (bound is the floor). */
      exhausted: boolean;
      /** Up to `want` entries with bound <= id < before, newest first, without duplicates. */
      entries: MailboxEntry[];
      /** Pull-mode authors the owner follows (a superset: filter by who is in pull mode now). */
      pullFollowees: string[];
      /**
       * When asked for: the versions of the owner's timeline and of pullFollowees' (in that order) in the versions
       * hash of the owner's slot (null: not there; always so for authors of another slot). Else empty.
       */
      versions: (string | null)[];
    }
) & {
  /** The reader's request count when the read counted one (READ's last ARGV > 0), else null. */
  requests: RequestCount | null;
};

/** Decodes READ's reply for a page of `want` below `before` (null: the newest). */
export function decodeMailboxRead(reply: unknown, before: string | null, want: number): MailboxRead {
  const parts = reply as unknown[];
  const [count, msLeft] = parts.slice(-2) as [number, number];
  const requests = count > 0 ? { count, msLeft } : null;
  if (parts.length === 3) return { valid: false, limited: parts[0] === 'limited', requests };
  const [floor, edge, members, pullFollowees, versions] = parts as [string, string, string[], string[], string[]];
  // Members below the floor may lie in the sorted part (a backfill raised the floor over them) and do not count: the
  // mailbox has run out when fewer than `want` lie at or above it. Counted, a page starting at the floor was "not
  // exhausted" and bounded at the floor itself, so the reader asked again for the same page, forever. The edge is
  // taken before the following set's filter: what it dropped is not the owner's to see, and the page is complete
  // down to the edge without it.
  const last = edge ? Number(entryOf(edge).postId) : -1;
  const exhausted = last < Number(floor);
  const low = Math.max(Number(floor), exhausted ? 0 : last);
  const high = before === null ? Infinity : Number(before);
  const seen = new Set<number>();
  const keyed: { id: number; entry: MailboxEntry }[] = [];
  for (const member of members) {
    const entry = entryOf(member);
    const id = Number(entry.postId);
    if (id < low || id >= high || seen.has(id)) continue;
    seen.add(id);
    keyed.push({ id, entry });
  }
  // Newest first; the recent part is not sorted.
  keyed.sort((a, b) => b.id - a.id);
  // Recent deliveries can make more than a page: the page is the newest `want`, complete down to its last entry.
  const cut = keyed.length > want;
  if (cut) keyed.length = want;
  return {
    valid: true,
    floor,
    bound: cut ? String(keyed[want - 1]!.id) : exhausted ? floor : String(low),
    exhausted: exhausted && !cut,
    entries: keyed.map((k) => k.entry),
    pullFollowees,
    versions,
    requests,
  };
}
