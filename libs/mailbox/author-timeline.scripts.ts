/** Cuts a sorted set to `cap` once it is `slack` over, returning the raised floor (the lowest score kept). */
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
 * An author's timeline: KEYS[1] a sorted set of the author's recent posts (score = post id, member
 * "postId:authorId" as in mailboxes, libs/contract/mailbox.entry.ts), KEYS[2] its state hash:
 *   built    '1' once it was built from PostgreSQL: from then on every post of the author is added
 *   build    token of a build in progress ('' when none); posts are kept during a build
 *   floor    post ids below it may be missing (trimmed, or older than the build took)
 *   gen      the token of the build that made it: a timeline rebuilt after Redis lost it never repeats a version
 *   version  bumped by every change, in the same script: readers cache a timeline until `gen:version` moves
 * and KEYS[3] the shard's versions hash (RedisKeys.authorVersions): field authorId = `gen:version` of a built timeline,
 * set in the same script as every change, so a reader learns whether any of its cached timelines moved from one plain
 * HMGET per shard. Hybrid reads the celebrities a reader follows from here instead of joining in PostgreSQL.
 */

/** Publishes a built timeline's current version in the shard's versions hash. ARGV[1] of the caller: the author. */
export const PUBLISH = `
local function publish(author)
  local st = redis.call('HMGET', KEYS[2], 'built', 'gen', 'version')
  if st[1] == '1' then redis.call('HSET', KEYS[3], author, (st[2] or '') .. ':' .. (st[3] or '0')) end
end
`;

/** ARGV: author, postId, member, cap. Adds the post if the timeline is built or being built; 0 otherwise. */
export const APPEND = `${TRIM}${PUBLISH}
local state = redis.call('HMGET', KEYS[2], 'built', 'build', 'floor')
if state[1] ~= '1' and not (state[2] and state[2] ~= '') then return 0 end
local added = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local stored = tonumber(state[3] or '0')
local floor = trim(KEYS[1], tonumber(ARGV[4]), 0, stored)
if floor ~= stored then redis.call('HSET', KEYS[2], 'floor', string.format('%.0f', floor)) end
if added == 1 or floor ~= stored then
  redis.call('HINCRBY', KEYS[2], 'version', 1)
  publish(ARGV[1])
end
return added
`;

/** ARGV: author, member. */
export const RETRACT = `${PUBLISH}
local removed = redis.call('ZREM', KEYS[1], ARGV[2])
if removed == 1 then
  redis.call('HINCRBY', KEYS[2], 'version', 1)
  publish(ARGV[1])
end
return removed
`;

/** ARGV: token. */
export const BEGIN_BUILD = `
redis.call('HSET', KEYS[2], 'build', ARGV[1])
return 1
`;

/**
 * ARGV: author, token, cap, floor, then (postId, member) pairs: the author's newest posts from PostgreSQL. Returns 0
 * (and changes nothing) if another build took over.
 */
export const FINISH_BUILD = `${TRIM}${PUBLISH}
local state = redis.call('HMGET', KEYS[2], 'build', 'floor')
if state[1] ~= ARGV[2] then return 0 end
for i = 5, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
local floor = math.max(tonumber(ARGV[4]), tonumber(state[2] or '0'))
floor = trim(KEYS[1], tonumber(ARGV[3]), 0, floor)
redis.call('HSET', KEYS[2], 'built', '1', 'build', '', 'gen', ARGV[2], 'floor', string.format('%.0f', floor))
redis.call('HINCRBY', KEYS[2], 'version', 1)
publish(ARGV[1])
return 1
`;

/**
 * Several authors' timelines in one call, skipping those the reader already has: KEYS are (timeline, state) per
 * author, then the shard's versions hash; ARGV: per author, its id and the version the caller holds ('' for none).
 * Returns, per author, {0} when the timeline is not built, {1} when it is at the caller's version, else {2, version,
 * floor, every member newest first}. A built timeline missing from the versions hash (built before there was one) is
 * published there, so the next read finds it with the HMGET.
 */
export const READ_CHANGED = `
local out = {}
local versions = KEYS[#KEYS]
for a = 1, (#KEYS - 1) / 2 do
  local state = redis.call('HMGET', KEYS[2 * a], 'built', 'gen', 'version', 'floor')
  local version = (state[2] or '') .. ':' .. (state[3] or '0')
  if state[1] ~= '1' then
    out[a] = {0}
  else
    if redis.call('HEXISTS', versions, ARGV[2 * a - 1]) == 0 then redis.call('HSET', versions, ARGV[2 * a - 1], version) end
    if version == ARGV[2 * a] then
      out[a] = {1}
    else
      out[a] = {2, version, state[4] or '0', redis.call('ZREVRANGE', KEYS[2 * a - 1], 0, -1)}
    end
  end
end
return out
`;
