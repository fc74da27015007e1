import { MAILBOX_LUA } from '#libs/contract';

// The write side of a mailbox (the layout and the read are in libs/contract/mailbox.read.ts). A user's keys, all with
// the hash tag of the user's shard: the mailbox list, its state hash, the following set (whose posts the mailbox may
// hold) and the followed pull-mode authors. The state:
//   epoch   mailbox epoch the mailbox was built for; reads of another epoch are refused
//   sorted  length of the sorted suffix, the sentinel included (what is above it is the unsorted prefix)
//   floor   post ids below it may be missing (trimmed, or older than a backfill took); reads go to PostgreSQL there
//   build   token of a rebuild in progress ('' when none); a mailbox being rebuilt is never read
//   dirty   '1' when the following set changed during the rebuild, which must then start over
//   blen    the list's length when the rebuild's following set was written: what is pushed above it is kept
// A delivery checks the following set, so a post of someone the owner unfollowed meanwhile is not written; an
// unfollow removes the author and their posts in the same script, so a late delivery cannot bring them back.

/**
 * Deliveries settle a mailbox every `slack` members pushed: reads take the whole unsorted prefix, so it stays short,
 * and each settle's fixed cost is spread over that many deliveries.
 */
export function settleSlack(cap: number): number {
  return Math.max(8, Math.min(32, Math.floor(cap / 16)));
}

/**
 * settle(): the prefix merged into the sorted suffix (deduplicated, at or above the floor), then the tail cut to the
 * cap, raising the floor past what it cut. Most settles only sort the prefix, when all of it is newer than the suffix
 * (new posts); a backfill of older posts rewrites the list. Left to FINISH_BUILD during a rebuild.
 */
const SETTLE = `${MAILBOX_LUA}
local function byIdDesc(a, b) return a[1] > b[1] end
local function rpushAll(key, members)
  for i = 1, #members, 1000 do redis.call('RPUSH', key, unpack(members, i, math.min(i + 999, #members))) end
end
local function settle(mb, ms, cap)
  local st = redis.call('HMGET', ms, 'sorted', 'floor', 'build')
  if st[3] and st[3] ~= '' then return end
  local sorted, floor = tonumber(st[1] or '1'), tonumber(st[2] or '0')
  local len = redis.call('LLEN', mb)
  local u = len - sorted
  if u <= 0 then return end
  local items, seen = {}, {}
  for _, m in ipairs(redis.call('LRANGE', mb, 0, u - 1)) do
    local id = idOf(m)
    if id >= floor and not seen[m] then seen[m] = true; items[#items + 1] = {id, m} end
  end
  table.sort(items, byIdDesc)
  if #items == 0 or items[#items][1] > idOf(redis.call('LINDEX', mb, u)) then
    redis.call('LTRIM', mb, u, -1)
    if #items > 0 then
      local oldestFirst = {}
      for i = #items, 1, -1 do oldestFirst[#oldestFirst + 1] = items[i][2] end
      redis.call('LPUSH', mb, unpack(oldestFirst))
    end
  else
    for _, m in ipairs(redis.call('LRANGE', mb, u, -2)) do
      if not seen[m] then seen[m] = true; items[#items + 1] = {idOf(m), m} end
    end
    table.sort(items, byIdDesc)
    local members = {}
    for i, item in ipairs(items) do members[i] = item[2] end
    members[#members + 1] = '0'
    redis.call('DEL', mb)
    rpushAll(mb, members)
  end
  len = redis.call('LLEN', mb)
  if len - 1 > cap then
    floor = math.max(floor, idOf(redis.call('LINDEX', mb, cap)) + 1)
    redis.call('LTRIM', mb, 0, cap - 1)
    redis.call('RPUSH', mb, '0')
    len = cap + 1
  end
  redis.call('HSET', ms, 'sorted', len, 'floor', fmt(floor))
end
`;

/**
 * One author's posts to many owners of one slot: KEYS are (mailbox, state, following) per owner; ARGV: cap, slack,
 * floor, author, member count, members (oldest first), then the owners' ids in KEYS order. Skips owners without a
 * mailbox (never built, or lost with Redis: a rebuild will make it) and owners who do not follow the author (their
 * own posts excepted). A backfill of an author's newest posts passes the lowest of them as floor when the author may
 * have older ones. Returns how many members were pushed.
 */
export const DELIVER = `${SETTLE}
local cap, slack, given, author, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local members = {unpack(ARGV, 6, 5 + n)}
local pushed = 0
for o = 1, #KEYS / 3 do
  local mb, ms, fw = KEYS[3 * o - 2], KEYS[3 * o - 1], KEYS[3 * o]
  if ARGV[5 + n + o] == author or redis.call('SISMEMBER', fw, author) == 1 then
    local len = redis.call('LPUSHX', mb, unpack(members))
    if len > 0 then
      pushed = pushed + n
      if given > 0 then
        if given > tonumber(redis.call('HGET', ms, 'floor') or '0') then redis.call('HSET', ms, 'floor', ARGV[3]) end
        settle(mb, ms, cap)
      elseif math.floor(len / slack) ~= math.floor((len - n) / slack) then
        settle(mb, ms, cap)
      end
    end
  end
end
return pushed
`;

/** Follow: later deliveries of this author are accepted. KEYS: mailbox, state, following, pull-mode followees. ARGV:
 * author, '1' when the author is in pull mode. Returns 0 when there is no mailbox. */
export const ADD_FOLLOWEE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[3], ARGV[1])
if ARGV[2] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) end
local build = redis.call('HGET', KEYS[2], 'build')
if build and build ~= '' then redis.call('HSET', KEYS[2], 'dirty', '1') end
return 1
`;

/**
 * Unfollow: forget the author and remove their posts, in one step with respect to deliveries. KEYS: mailbox, state,
 * following, pull-mode followees. ARGV: author. During a rebuild only the sets change (the rebuild starts over).
 */
export const RETRACT_AUTHOR = `
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
local st = redis.call('HMGET', KEYS[2], 'build', 'sorted')
if st[1] and st[1] ~= '' then
  redis.call('HSET', KEYS[2], 'dirty', '1')
  return 0
end
local all = redis.call('LRANGE', KEYS[1], 0, -1)
local u = #all - tonumber(st[2] or '1')
local tail = ':' .. ARGV[1]
local kept, keptSorted = {}, 0
for i, m in ipairs(all) do
  if m:sub(-#tail) ~= tail then
    kept[#kept + 1] = m
    if i > u then keptSorted = keptSorted + 1 end
  end
end
if #kept == #all then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #kept, 1000 do redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
redis.call('HSET', KEYS[2], 'sorted', keptSorted)
return #all - #kept
`;

/** A rebuild starts: reads are refused until FINISH_BUILD. KEYS: mailbox, state. ARGV: token. */
export const BEGIN_BUILD = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('RPUSH', KEYS[1], '0') end
redis.call('HSET', KEYS[2], 'build', ARGV[1], 'dirty', '0')
return 1
`;

/**
 * The rebuild's following set, read from PostgreSQL after BEGIN_BUILD: from now on deliveries are checked against
 * it, and what they push is kept by FINISH_BUILD. KEYS: mailbox, state, following, pull-mode followees. ARGV: token,
 * followee count, followees…, pull-mode followees… Followed pull-mode authors added meanwhile are kept. Returns 0
 * (changing nothing) if another rebuild took over or a follow changed.
 */
export const SET_FOLLOWEES = `
local st = redis.call('HMGET', KEYS[2], 'build', 'dirty')
if st[1] ~= ARGV[1] or st[2] == '1' then return 0 end
local n = tonumber(ARGV[2])
local kept = {}
for _, a in ipairs(redis.call('SMEMBERS', KEYS[4])) do kept[#kept + 1] = a end
redis.call('DEL', KEYS[3], KEYS[4])
for i = 3, 2 + n, 1000 do redis.call('SADD', KEYS[3], unpack(ARGV, i, math.min(i + 999, 2 + n))) end
for _, a in ipairs(kept) do
  if redis.call('SISMEMBER', KEYS[3], a) == 1 then redis.call('SADD', KEYS[4], a) end
end
for i = 3 + n, #ARGV, 1000 do redis.call('SADD', KEYS[4], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('HSET', KEYS[2], 'blen', redis.call('LLEN', KEYS[1]))
return 1
`;

/**
 * KEYS: mailbox, state. ARGV: token, epoch, cap, then members newest first from PostgreSQL (up to cap + 1: one more
 * than fits says older posts exist). Replaces the mailbox with them and what deliveries pushed since SET_FOLLOWEES.
 * Returns 0 (changing nothing) if another rebuild took over or a follow changed.
 */
export const FINISH_BUILD = `${SETTLE}
local st = redis.call('HMGET', KEYS[2], 'build', 'dirty', 'blen')
if st[1] ~= ARGV[1] or st[2] == '1' or not st[3] then return 0 end
local cap = tonumber(ARGV[3])
local len = redis.call('LLEN', KEYS[1])
local items, seen = {}, {}
local function add(m)
  if not seen[m] then seen[m] = true; items[#items + 1] = {idOf(m), m} end
end
if len > tonumber(st[3]) then
  for _, m in ipairs(redis.call('LRANGE', KEYS[1], 0, len - tonumber(st[3]) - 1)) do add(m) end
end
for i = 4, #ARGV do add(ARGV[i]) end
table.sort(items, byIdDesc)
local floor = 0
if #items > cap then
  floor = items[cap + 1][1] + 1
  for i = #items, cap + 1, -1 do items[i] = nil end
end
local members = {}
for i, item in ipairs(items) do members[i] = item[2] end
members[#members + 1] = '0'
redis.call('DEL', KEYS[1])
rpushAll(KEYS[1], members)
redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'build', '', 'dirty', '0', 'floor', fmt(floor), 'sorted', #members)
redis.call('HDEL', KEYS[2], 'blen')
return 1
`;

/**
 * An author entered pull mode: it joins the followed pull-mode authors of each owner that has a mailbox and follows
 * them. KEYS: (mailbox, following, pull-mode followees) per owner, one slot; ARGV: author.
 */
export const ADD_PULL_AUTHOR = `
local added = 0
for o = 1, #KEYS / 3 do
  if redis.call('EXISTS', KEYS[3 * o - 2]) == 1 and redis.call('SISMEMBER', KEYS[3 * o - 1], ARGV[1]) == 1 then
    added = added + redis.call('SADD', KEYS[3 * o], ARGV[1])
  end
end
return added
`;
