import { entryOf, type MailboxEntry } from './mailbox.entry.js';

// How a mailbox is laid out in Redis and read: the READ script and its decoding, and the post cache's tombstone. The
// product's stores use exactly these, and so does a tool that must do the same Redis work (the ceiling server).
//
// A mailbox is a list of members "postId:authorId" ending in the sentinel '0' (a built mailbox always exists, so a
// delivery can push only into built ones, with LPUSHX). Deliveries push at the head, so the list is an unsorted prefix
// of recent deliveries over a suffix kept sorted newest first, without duplicates; the mailbox state (a hash) says how
// long the suffix is (`sorted`, the sentinel included). Every `slack` pushes the prefix is settled into the suffix
// (libs/mailbox/mailbox.scripts.ts), so a read takes the whole prefix (at most a few dozen members) and the page's
// part of the suffix, and sorts them. Everything with id >= `floor` that the owner should see is in the list (once
// delivered); below it, PostgreSQL has the rest.

/** What the post cache holds for a deleted post (a tombstone, so a miss is not read from PostgreSQL again). */
export const DELETED_POST = '-';

/** The list's last member: a built mailbox is never empty, so LPUSHX writes into built mailboxes only. */
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
 * KEYS: mailbox, state, following, followed pull-mode authors. ARGV: epoch, before ('' for the newest), want, owner.
 * Returns {'invalid'} for a mailbox of another epoch or one being rebuilt, else {floor, suffix part, prefix, followed
 * pull-mode authors}: the suffix part is the `want` members below `before` (found by binary search: the suffix is
 * sorted); the prefix is the recent deliveries of authors the owner follows (a delivery is not checked when it is
 * written: a post of someone unfollowed meanwhile stops here, and the next settle drops it).
 */
export const READ = `${MAILBOX_LUA}
local mb, ms, fw, pf = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local st = redis.call('HMGET', ms, 'epoch', 'build', 'floor', 'sorted')
if st[1] ~= ARGV[1] or (st[2] and st[2] ~= '') then return {'invalid'} end
local want = tonumber(ARGV[3])
local len = redis.call('LLEN', mb)
local u = math.max(0, len - tonumber(st[4] or '1'))
local lo = u
if ARGV[2] ~= '' then
  local before, hi = keyOf(tonumber(ARGV[2])), len - 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('LINDEX', mb, mid) >= before then lo = mid + 1 else hi = mid end
  end
end
local prefix = u > 0 and followedOnly(fw, ARGV[4], redis.call('LRANGE', mb, 0, u - 1)) or {}
return {st[3] or '0', redis.call('LRANGE', mb, lo, lo + want - 1), prefix, redis.call('SMEMBERS', pf)}
`;

export type MailboxRead =
  | { valid: false }
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
    };

/** Decodes READ's reply for a page of `want` below `before` (null: the newest). */
export function decodeMailboxRead(reply: unknown, before: string | null, want: number): MailboxRead {
  const parts = reply as [string] | [string, string[], string[], string[]];
  if (parts.length === 1) return { valid: false };
  const [floor, suffix, prefix, pullFollowees] = parts as [string, string[], string[], string[]];
  const below = suffix[suffix.length - 1] === MAILBOX_SENTINEL ? suffix.slice(0, -1) : suffix;
  // Members below the floor may lie in the sorted part (a backfill raised the floor over them) and do not count: the
  // mailbox has run out when fewer than `want` lie at or above it. Counted, a page starting at the floor was "not
  // exhausted" and bounded at the floor itself, so the reader asked again for the same page, forever.
  const last = below.length >= want ? Number(entryOf(below[want - 1]!).postId) : -1;
  const exhausted = last < Number(floor);
  const low = Math.max(Number(floor), exhausted ? 0 : last);
  const high = before === null ? Infinity : Number(before);
  const seen = new Set<number>();
  const keyed: { id: number; entry: MailboxEntry }[] = [];
  for (const member of prefix.length ? [...below, ...prefix] : below) {
    const entry = entryOf(member);
    const id = Number(entry.postId);
    if (id < low || id >= high || seen.has(id)) continue;
    seen.add(id);
    keyed.push({ id, entry });
  }
  if (prefix.length) keyed.sort((a, b) => b.id - a.id);
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
  };
}
