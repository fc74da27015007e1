import { SETTLE } from './mailbox.settle.js';

// The write side of a mailbox (the layout and the read are in libs/contract/mailbox.read.ts). A user's keys, all with
// the hash tag of the user's shard: the mailbox list, its state hash, the following set (whose posts the mailbox may
// hold) and the followed pull-mode authors. The state:
//   epoch   mailbox epoch the mailbox was built for; reads of another epoch are refused
//   sorted  length of the sorted part, the sentinel included (what lies after it is the unsorted recent part)
//   floor   post ids below it may be missing (trimmed, or older than a backfill took); reads go to PostgreSQL there
//   build   token of a rebuild in progress ('' when none); a mailbox being rebuilt is never read
//   dirty   '1' when the following sets changed during the rebuild (a follow, an unfollow, a followed author entering
//           pull mode), which must then start over
//   blen    the list's length when the rebuild's following set was written: what is pushed after it is kept
// A delivery is one RPUSHX per owner, unchecked, and settles do not check either: reads filter what they return by
// the following set (see READ). So a post of someone the owner unfollowed meanwhile (a batch that read the followers
// before the unfollow) is never read, and lies in the list until trimmed; an unfollow removes the author and the
// posts it finds in the same script, so the list does not fill with them.

/**
 * Posts to many owners of one slot. KEYS[1]: one of the owners' mailboxes (it routes the call to the slot's node);
 * ARGV: cap, slack (members pushed between settles; 1 settles at once, as a backfill does), floor, member count,
 * members (oldest first), then the slot's key prefixes of mailbox and state (each owner's key is
 * prefix .. owner id, so all are in KEYS[1]'s slot), then the owners' ids joined by commas: a few bytes per owner
 * instead of two keys. Skips owners without a mailbox (never built, or lost with
 * Redis: a rebuild will make it). A backfill of an author's newest posts passes the lowest of them as floor when the
 * author may have older ones. Returns the owners skipped (usually none: a short reply).
 */
export const DELIVER = `${SETTLE}
local cap, slack, given, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
-- A settle every slack members pushed, counted from a full mailbox's length (what a settle trims it back to), so a
-- full mailbox settles every slack deliveries whatever the cap, not at the next multiple of slack (1 to slack away).
local full = cap + 1
local members = {unpack(ARGV, 5, 4 + n)}
local mbPre, msPre = ARGV[5 + n], ARGV[6 + n]
local skipped = {}
for owner in string.gmatch(ARGV[7 + n], '[^,]+') do
  local mb = mbPre .. owner
  local len = redis.call('RPUSHX', mb, unpack(members))
  if len == 0 then
    skipped[#skipped + 1] = owner
  else
    if given > 0 then
      local ms = msPre .. owner
      if given > tonumber(redis.call('HGET', ms, 'floor') or '0') then redis.call('HSET', ms, 'floor', ARGV[3]) end
      settle(mb, ms, cap)
    elseif math.floor((len - full) / slack) ~= math.floor((len - n - full) / slack) then
      settle(mb, msPre .. owner, cap)
    end
  end
end
return skipped
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
local sorted = tonumber(st[2] or '1')
local tail = ':' .. ARGV[1]
local kept, keptSorted = {}, 0
for i, m in ipairs(all) do
  if m:sub(-#tail) ~= tail then
    kept[#kept + 1] = m
    if i <= sorted then keptSorted = keptSorted + 1 end
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
 * KEYS: mailbox, state, following. ARGV: token, epoch, cap, owner, then members newest first from PostgreSQL (up to
 * cap + 1: one more than fits says older posts exist). Replaces the mailbox with them and what deliveries pushed
 * since SET_FOLLOWEES (of authors in the rebuild's following set). Returns 0 (changing nothing) if another rebuild
 * took over or a follow changed.
 */
export const FINISH_BUILD = `${SETTLE}
local st = redis.call('HMGET', KEYS[2], 'build', 'dirty', 'blen')
if st[1] ~= ARGV[1] or st[2] == '1' or not st[3] then return 0 end
local cap = tonumber(ARGV[3])
local all = followedOnly(KEYS[3], ARGV[4], redis.call('LRANGE', KEYS[1], tonumber(st[3]), -1))
for i = 5, #ARGV do all[#all + 1] = ARGV[i] end
local members = oldestFirst(all, keyOf(1))
local floor, over = 0, #members - cap
if over > 0 then floor = idOf(members[over]) + 1 end
local list = {'0'}
for i = math.max(1, over + 1), #members do list[#list + 1] = members[i] end
redis.call('DEL', KEYS[1])
rpushAll(KEYS[1], list)
redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'build', '', 'dirty', '0', 'floor', fmt(floor), 'sorted', #list)
redis.call('HDEL', KEYS[2], 'blen')
return 1
`;

/**
 * An author entered pull mode: it joins the followed pull-mode authors of each owner that has a mailbox and follows
 * them. KEYS: (mailbox, state, following, pull-mode followees) per owner, one slot; ARGV: author. A mailbox being
 * rebuilt whose following set does not have the author (Redis lost the mailbox, or it was never built) may have read
 * its followees before the author entered pull mode, and would then not merge them: the rebuild starts over, as after
 * a follow.
 */
export const ADD_PULL_AUTHOR = `
local added = 0
for o = 1, #KEYS / 4 do
  local mb, ms, fw, pf = KEYS[4 * o - 3], KEYS[4 * o - 2], KEYS[4 * o - 1], KEYS[4 * o]
  if redis.call('EXISTS', mb) == 1 then
    if redis.call('SISMEMBER', fw, ARGV[1]) == 1 then
      added = added + redis.call('SADD', pf, ARGV[1])
    else
      local build = redis.call('HGET', ms, 'build')
      if build and build ~= '' then redis.call('HSET', ms, 'dirty', '1') end
    end
  end
end
return added
`;
