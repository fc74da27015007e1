/**
 * Lua scripts over one user's keys: KEYS[1] mailbox (sorted set, score = post id, member "postId:authorId"),
 * KEYS[2] following set (who the mailbox may hold posts of), KEYS[3] state hash:
 *   epoch  mailbox epoch the mailbox was built for (absent: no mailbox, writes are skipped)
 *   build  token of a rebuild in progress ('' when none); a mailbox being built is never read
 *   dirty  '1' when the following set changed during the rebuild, which must then start over
 *   floor  post ids below it may be missing (trimmed); reads below it go to PostgreSQL
 * Every write is idempotent (ZADD/ZREM/SADD/SREM of the same members) and trims in the same round trip.
 */

export const TRIM = `
local function trim(mb, cap, slack, floor)
  local n = redis.call('ZCARD', mb)
  if n > cap + slack then
    redis.call('ZREMRANGEBYRANK', mb, 0, n - cap - 1)
    local lowest = redis.call('ZRANGE', mb, 0, 0, 'WITHSCORES')
    if tonumber(lowest[2]) > floor then floor = tonumber(lowest[2]) end
  end
  return floor
end
`;

/**
 * Deliveries trim only once a mailbox is this far over its cap, so most deliveries to a full mailbox skip the trim
 * (and the floor update); readers never notice, since reads stop at the floor and the page limit anyway.
 */
export function trimSlack(cap: number): number {
  return Math.floor(cap / 16);
}

/**
 * Delivers the same entries to many owners in one call: KEYS are (mailbox, following, state) per owner; ARGV: cap,
 * trim slack, floor, entry count, (postId, authorId) pairs, then the owners' ids in KEYS order. A backfill of an
 * author's newest posts passes the lowest of them as floor when the author may have older ones: below it the
 * mailbox is no longer complete. Returns how many entries were added.
 */
export const DELIVER = `${TRIM}
local cap, slack, given = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local last = 4 + 2 * tonumber(ARGV[4])
local added = 0
for o = 1, #KEYS / 3 do
  local mb, fw, ms = KEYS[3 * o - 2], KEYS[3 * o - 1], KEYS[3 * o]
  local owner = ARGV[last + o]
  local state = redis.call('HMGET', ms, 'epoch', 'build', 'floor')
  -- No mailbox (never built, or lost with Redis): nothing to add to; a rebuild will make it whole.
  if state[1] then
    local building = state[2] and state[2] ~= ''
    local stored = tonumber(state[3] or '0')
    local floor = math.max(stored, given)
    for i = 5, last, 2 do
      local id, author = ARGV[i], ARGV[i + 1]
      -- Outside a rebuild the following set is exact, so a post of someone unfollowed meanwhile is not written.
      if building or (tonumber(id) >= floor and (author == owner or redis.call('SISMEMBER', fw, author) == 1)) then
        added = added + redis.call('ZADD', mb, id, id .. ':' .. author)
      end
    end
    floor = trim(mb, cap, slack, floor)
    if floor ~= stored then redis.call('HSET', ms, 'floor', string.format('%.0f', floor)) end
  end
end
return added
`;

/** ARGV: member. */
export const RETRACT_POST = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** Unfollow: forget the author and remove their posts, atomically with respect to deliveries. ARGV: author. */
export const RETRACT_AUTHOR = `
local mb, fw, ms = KEYS[1], KEYS[2], KEYS[3]
redis.call('SREM', fw, ARGV[1])
local build = redis.call('HGET', ms, 'build')
if build and build ~= '' then redis.call('HSET', ms, 'dirty', '1') end
local suffix = ':' .. ARGV[1]
local removed = 0
for _, member in ipairs(redis.call('ZRANGE', mb, 0, -1)) do
  if string.sub(member, -#suffix) == suffix then removed = removed + redis.call('ZREM', mb, member) end
end
return removed
`;

/** Follow: later deliveries of this author are accepted. ARGV: author. Returns 0 when there is no mailbox. */
export const ADD_FOLLOWEE = `
local fw, ms = KEYS[2], KEYS[3]
local state = redis.call('HMGET', ms, 'epoch', 'build')
if not state[1] then return 0 end
redis.call('SADD', fw, ARGV[1])
if state[2] and state[2] ~= '' then redis.call('HSET', ms, 'dirty', '1') end
return 1
`;

/** Starts a rebuild: reads are refused and deliveries are kept until FINISH_BUILD. ARGV: token. */
export const BEGIN_BUILD = `
redis.call('HSETNX', KEYS[3], 'epoch', '0')
redis.call('HSET', KEYS[3], 'build', ARGV[1], 'dirty', '0', 'floor', '0')
return 1
`;

/**
 * ARGV: token, epoch, cap, floor, owner, followee count, followees…, then (postId, authorId) pairs.
 * Returns 0 (and changes nothing) if another rebuild took over or the following set changed meanwhile.
 */
export const FINISH_BUILD = `${TRIM}
local mb, fw, ms = KEYS[1], KEYS[2], KEYS[3]
local state = redis.call('HMGET', ms, 'build', 'dirty', 'floor')
if state[1] ~= ARGV[1] or state[2] == '1' then return 0 end
local epoch, cap, owner = ARGV[2], tonumber(ARGV[3]), ARGV[5]
local floor = math.max(tonumber(ARGV[4]), tonumber(state[3] or '0'))
local nFollowees = tonumber(ARGV[6])
redis.call('DEL', fw)
for i = 7, 6 + nFollowees, 1000 do
  redis.call('SADD', fw, unpack(ARGV, i, math.min(i + 999, 6 + nFollowees)))
end
for i = 7 + nFollowees, #ARGV, 2 do
  redis.call('ZADD', mb, ARGV[i], ARGV[i] .. ':' .. ARGV[i + 1])
end
-- Deliveries kept during the rebuild were not checked against the following set: check them now.
for _, member in ipairs(redis.call('ZRANGE', mb, 0, -1)) do
  local author = string.match(member, ':(%d+)$')
  if author ~= owner and redis.call('SISMEMBER', fw, author) == 0 then redis.call('ZREM', mb, member) end
end
floor = trim(mb, cap, 0, floor)
redis.call('HSET', ms, 'epoch', epoch, 'build', '', 'dirty', '0', 'floor', string.format('%.0f', floor))
return 1
`;
