import { MAILBOX_LUA } from '#libs/contract';

// Settling a mailbox: its unsorted prefix of recent deliveries merged into the sorted suffix (see the layout in
// libs/contract/mailbox.read.ts). Lua shared by DELIVER and FINISH_BUILD (mailbox.scripts.ts).

/**
 * Deliveries settle a mailbox every `slack` members pushed: reads take the whole unsorted prefix, so it stays short,
 * and each settle's fixed cost is spread over that many deliveries.
 */
export function settleSlack(cap: number): number {
  return Math.max(8, Math.min(32, Math.floor(cap / 16)));
}

/**
 * settle(): the prefix merged into the sorted suffix (deduplicated, at or above the floor), then the tail cut to the
 * cap, raising the floor past what it cut. One LRANGE takes the prefix and the suffix's head: when every post is newer
 * than the head (most settles: deliveries come about in post order) they are pushed back sorted, or left where they
 * lie when they already are, with nothing more read (reading and merging a window of the suffix every time cost
 * ~1.6 µs of Redis per delivered entry, a quarter of a delivery's, on a private Redis). Otherwise a second LRANGE takes the top WINDOW members of the suffix; stragglers within
 * it (deliveries of concurrent batches that lost the race to a settle) are merged with the part of the window above
 * them and pushed back in one LPUSH; the few older ones are inserted where they belong, found by binary search; only
 * when many lie deeper than the window (a backfill of old posts) is the list rewritten. A call per straggler (the way before) cost more Redis than
 * the deliveries themselves. Left to FINISH_BUILD during a rebuild.
 */
export const SETTLE = `${MAILBOX_LUA}
local WINDOW, DEEP = 64, 16
local function rpushAll(key, members)
  for i = 1, #members, 1000 do redis.call('RPUSH', key, unpack(members, i, math.min(i + 999, #members))) end
end
-- Members sorted newest first, without duplicates, at or above the floor's key (not the sentinel). A prefix of
-- deliveries that came in post order already is (newest pushed last, so first): one pass instead of a sort.
local function newestFirst(members, low)
  local out = {}
  local ordered = true
  for i = 2, #members do
    if members[i - 1] <= members[i] then ordered = false break end
  end
  if ordered then
    for i = 1, #members do
      if members[i] >= low then out[#out + 1] = members[i] end
    end
    return out
  end
  table.sort(members)
  local last = nil
  for i = #members, 1, -1 do
    local m = members[i]
    if m ~= last and m >= low then out[#out + 1] = m end
    last = m
  end
  return out
end
-- Inserts one member into the sorted list at its place, found by binary search (a straggler deeper than the window).
local function insertDeep(mb, m)
  local lo, hi = 0, redis.call('LLEN', mb) - 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('LINDEX', mb, mid) > m then lo = mid + 1 else hi = mid end
  end
  local pivot = redis.call('LINDEX', mb, lo)
  if pivot ~= m then redis.call('LINSERT', mb, 'BEFORE', pivot, m) end
end
-- Two lists sorted newest first merged into one, without duplicates.
local function mergeDesc(a, b)
  local out, i, j = {}, 1, 1
  while i <= #a or j <= #b do
    local x, y = a[i], b[j]
    local m
    if y == nil or (x ~= nil and x > y) then m, i = x, i + 1
    elseif x == nil or y > x then m, j = y, j + 1
    else m, i, j = x, i + 1, j + 1 end
    out[#out + 1] = m
  end
  return out
end
-- True when the prefix, as it lies in the list, is already what settling it gives (deliveries in post order, all
-- followed, no repeats): then only the state moves.
local function settled(prefix, items)
  if #prefix ~= #items then return false end
  for i = 1, #items do
    if prefix[i] ~= items[i] then return false end
  end
  return true
end
-- Members sorted newest first pushed so the newest ends at the head.
local function pushNewestFirst(mb, members)
  for i = #members, 1, -1000 do
    local from = math.max(1, i - 999)
    local chunk = {}
    for j = i, from, -1 do chunk[#chunk + 1] = members[j] end
    redis.call('LPUSH', mb, unpack(chunk))
  end
end
-- The prefix's items, some not newer than the suffix's head (deliveries of concurrent batches that lost the race to a
-- settle, or a backfill): merged with the window above them, or inserted deeper. Returns the deep ones.
local function mergeStragglers(mb, u, items)
  local top = redis.call('LRANGE', mb, 0, u + WINDOW - 1)
  -- The window: the suffix's top members; when it reaches the list's end (the sentinel), nothing lies deeper.
  local last = #top
  if last < u + WINDOW then last = last - 1 end
  local bottom = last < u + WINDOW and '' or top[last]
  local near, deep = {}, {}
  for _, m in ipairs(items) do
    if m > bottom then near[#near + 1] = m elseif m ~= bottom then deep[#deep + 1] = m end
  end
  if #near > 0 then
    -- Only the window's members at or above the oldest merged one move (one equal to it is a repeat, dropped).
    local k = u
    while k < last and top[k + 1] >= near[#near] do k = k + 1 end
    redis.call('LTRIM', mb, k, -1)
    pushNewestFirst(mb, mergeDesc({unpack(top, u + 1, k)}, near))
  else
    redis.call('LTRIM', mb, u, -1)
  end
  return deep
end
local function settle(mb, ms, fw, owner, cap)
  local st = redis.call('HMGET', ms, 'sorted', 'floor', 'build')
  if st[3] and st[3] ~= '' then return end
  local sorted, floor = tonumber(st[1] or '1'), tonumber(st[2] or '0')
  local u = redis.call('LLEN', mb) - sorted
  if u <= 0 then return end
  -- The prefix and the suffix's head (the sentinel '0', below every member, when the suffix is empty).
  local top = redis.call('LRANGE', mb, 0, u)
  local prefix = {unpack(top, 1, u)}
  local items = newestFirst(followedOnly(fw, owner, prefix), keyOf(floor))
  local deep = {}
  if #items == 0 or items[#items] > (top[u + 1] or '') then
    -- The common case: all newer than the suffix, so they go on top of it as they are, or already lie there.
    if not settled(prefix, items) then
      redis.call('LTRIM', mb, u, -1)
      pushNewestFirst(mb, items)
    end
  else
    deep = mergeStragglers(mb, u, items)
  end
  if #deep >= DEEP then
    -- Both sorted: a merge, in one pass (sorting the whole list again cost a demotion 300 µs a mailbox).
    local members = mergeDesc(redis.call('LRANGE', mb, 0, -2), deep)
    members[#members + 1] = '0'
    redis.call('DEL', mb)
    rpushAll(mb, members)
  else
    for _, m in ipairs(deep) do insertDeep(mb, m) end
  end
  local len = redis.call('LLEN', mb)
  if len - 1 > cap then
    floor = math.max(floor, idOf(redis.call('LINDEX', mb, cap)) + 1)
    redis.call('LTRIM', mb, 0, cap - 1)
    redis.call('RPUSH', mb, '0')
    len = cap + 1
  end
  redis.call('HSET', ms, 'sorted', len, 'floor', fmt(floor))
end
`;
