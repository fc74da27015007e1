import { TRIM } from './mailbox.scripts.js';

/**
 * An author's timeline: KEYS[1] a sorted set of the author's recent posts (score = post id, member
 * "postId:authorId", as in mailboxes), KEYS[2] its state hash:
 *   built  '1' once it was built from PostgreSQL: from then on every post of the author is added
 *   build  token of a build in progress ('' when none); posts are kept during a build
 *   floor  post ids below it may be missing (trimmed, or older than the build took)
 * Hybrid reads the celebrities a reader follows from here instead of joining in PostgreSQL.
 */

/** ARGV: postId, authorId, cap. Adds the post if the timeline is built or being built; 0 otherwise. */
export const APPEND = `${TRIM}
local state = redis.call('HMGET', KEYS[2], 'built', 'build', 'floor')
if state[1] ~= '1' and not (state[2] and state[2] ~= '') then return 0 end
local added = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1] .. ':' .. ARGV[2])
local stored = tonumber(state[3] or '0')
local floor = trim(KEYS[1], tonumber(ARGV[3]), 0, stored)
if floor ~= stored then redis.call('HSET', KEYS[2], 'floor', string.format('%.0f', floor)) end
return added
`;

/** ARGV: token. */
export const BEGIN_BUILD = `
redis.call('HSET', KEYS[2], 'build', ARGV[1])
return 1
`;

/**
 * ARGV: token, cap, floor, then (postId, authorId) pairs: the author's newest posts from PostgreSQL. Returns 0 (and
 * changes nothing) if another build took over.
 */
export const FINISH_BUILD = `${TRIM}
local state = redis.call('HMGET', KEYS[2], 'build', 'floor')
if state[1] ~= ARGV[1] then return 0 end
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i] .. ':' .. ARGV[i + 1])
end
local floor = math.max(tonumber(ARGV[3]), tonumber(state[2] or '0'))
floor = trim(KEYS[1], tonumber(ARGV[2]), 0, floor)
redis.call('HSET', KEYS[2], 'built', '1', 'build', '', 'floor', string.format('%.0f', floor))
return 1
`;

/**
 * Several authors' timelines in one call: KEYS are (timeline, state) per author; ARGV: before ('' = newest), limit.
 * Returns, per author, {0} when the timeline is not built, else {1, floor, members newest first}.
 */
export const READ_MANY = `
local max = ARGV[1] == '' and '+inf' or ('(' .. ARGV[1])
local limit = tonumber(ARGV[2])
local out = {}
for a = 1, #KEYS / 2 do
  local state = redis.call('HMGET', KEYS[2 * a], 'built', 'floor')
  if state[1] == '1' then
    local floor = state[2] or '0'
    out[a] = {1, floor, redis.call('ZREVRANGEBYSCORE', KEYS[2 * a - 1], max, floor, 'LIMIT', 0, limit)}
  else
    out[a] = {0}
  end
end
return out
`;
