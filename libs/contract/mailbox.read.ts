// How the product's push read reads a mailbox: the READ script and the post cache's tombstone for a deleted post. The
// product's stores use exactly these, and so does a tool that must do the same Redis work (the ceiling server).

/** What the post cache holds for a deleted post (a tombstone, so a miss is not read from PostgreSQL again). */
export const DELETED_POST = '-';

/**
 * KEYS[1] mailbox, KEYS[2] state, KEYS[3] following. ARGV: epoch, before ('' = newest), limit, pull authors joined
 * by commas. Returns {'invalid'} or {floor, members, followed pull authors}.
 */
export const READ = `
local state = redis.call('HMGET', KEYS[2], 'epoch', 'build', 'floor')
if state[1] ~= ARGV[1] or (state[2] and state[2] ~= '') then return {'invalid'} end
local floor = state[3] or '0'
local max = ARGV[2] == '' and '+inf' or ('(' .. ARGV[2])
local members = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, floor, 'LIMIT', 0, tonumber(ARGV[3]))
local authors = {}
for id in string.gmatch(ARGV[4] or '', '[^,]+') do authors[#authors + 1] = id end
local followed = {}
for first = 1, #authors, 1000 do
  local last = math.min(first + 999, #authors)
  local flags = redis.call('SMISMEMBER', KEYS[3], unpack(authors, first, last))
  for i, isMember in ipairs(flags) do
    if isMember == 1 then followed[#followed + 1] = authors[first + i - 1] end
  end
end
return {floor, members, followed}
`;
