import { MAILBOX_LUA } from '#libs/contract';

// Settling a mailbox: its unsorted recent part merged into the sorted part (see the layout in
// libs/contract/mailbox.read.ts). Lua shared by DELIVER and FINISH_BUILD (mailbox.scripts.ts).

/**
 * Deliveries settle a mailbox every `slack` members pushed: reads take the whole unsorted recent part, so it stays short,
 * and each settle's fixed cost is spread over that many deliveries.
 */
export function settleSlack(cap: number): number {
  return Math.max(8, Math.min(32, Math.floor(cap / 16)));
}

/**
 * settle(): the recent part merged into the sorted part (deduplicated, at or above the floor), then the oldest cut to
 * the cap, raising the floor past what it cut. Posts of authors the owner does not follow are kept: reads filter them
 * (READ in libs/contract/mailbox.read.ts). One LRANGE takes the recent part and the sorted part's newest member: when
 * every post is newer than that (most settles: deliveries come about in post order) they are pushed back sorted, or
 * left where they lie when they already are, with nothing more read (reading and merging a window of the sorted part
 * every time cost ~1.6 µs of Redis per delivered entry, a quarter of a delivery's, on a private Redis). Otherwise a
 * second LRANGE takes the newest WINDOW members of the sorted part; stragglers within it (deliveries of concurrent
 * batches that lost the race to a settle) are merged with the part of the window above them and pushed back in one
 * RPUSH; the few older ones are inserted where they belong, found by binary search; only when many lie deeper than
 * the window (a backfill of old posts) is the list rewritten. A call per straggler (the way before) cost more Redis
 * than the deliveries themselves. Left to FINISH_BUILD during a rebuild.
 */
export const SETTLE = `${MAILBOX_LUA}
local WINDOW, DEEP = 64, 16
local function rpushAll(key, members)
  for i = 1, #members, 1000 do redis.call('RPUSH', key, unpack(members, i, math.min(i + 999, #members))) end
end
-- Members sorted oldest first, without duplicates, at or above the floor's key (not the sentinel). Deliveries that
-- came in post order already are (newest pushed last): one pass instead of a sort.
local function oldestFirst(members, low)
  local out = {}
  local ordered = true
  for i = 2, #members do
    if members[i - 1] >= members[i] then ordered = false break end
  end
  if not ordered then
    -- Sorted in a copy: the caller compares what it passed with what comes back.
    local copy = {}
    for i = 1, #members do copy[i] = members[i] end
    table.sort(copy)
    members = copy
  end
  local last = nil
  for i = 1, #members do
    local m = members[i]
    if m ~= last and m >= low then out[#out + 1] = m end
    last = m
  end
  return out
end
-- Inserts one member into the sorted list at its place, found by binary search (a straggler older than the window:
-- the list holds a newer member, the window's oldest).
local function insertDeep(mb, m)
  local lo, hi = 1, redis.call('LLEN', mb) - 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if redis.call('LINDEX', mb, mid) < m then lo = mid + 1 else hi = mid end
  end
  local pivot = redis.call('LINDEX', mb, lo)
  if pivot ~= m then redis.call('LINSERT', mb, 'BEFORE', pivot, m) end
end
-- Two lists sorted oldest first merged into one, without duplicates.
local function mergeAsc(a, b)
  local out, i, j = {}, 1, 1
  while i <= #a or j <= #b do
    local x, y = a[i], b[j]
    local m
    if y == nil or (x ~= nil and x < y) then m, i = x, i + 1
    elseif x == nil or y < x then m, j = y, j + 1
    else m, i, j = x, i + 1, j + 1 end
    out[#out + 1] = m
  end
  return out
end
-- True when the recent part, as it lies in the list, is already what settling it gives (deliveries in post order, no
-- repeats): then only the state moves.
local function settled(recent, items)
  if #recent ~= #items then return false end
  for i = 1, #items do
    if recent[i] ~= items[i] then return false end
  end
  return true
end
-- The recent part's items (oldest first), some not newer than the sorted part's newest (deliveries of concurrent
-- batches that lost the race to a settle, or a backfill): merged with the window above them, or inserted deeper.
-- Returns the deep ones.
local function mergeStragglers(mb, sorted, items)
  local from = math.max(0, sorted - WINDOW)
  local win = redis.call('LRANGE', mb, from, sorted - 1)
  -- The window: the sorted part's newest members; when it reaches the list's head (the sentinel), nothing lies deeper.
  local first, bottom = 1, win[1]
  if from == 0 then first, bottom = 2, '' end
  local near, deep = {}, {}
  for _, m in ipairs(items) do
    if m > bottom then near[#near + 1] = m elseif m ~= bottom then deep[#deep + 1] = m end
  end
  if #near > 0 then
    -- Only the window's members at or above the oldest merged one move (one equal to it is a repeat, dropped).
    local k = #win + 1
    while k > first and win[k - 1] >= near[1] do k = k - 1 end
    redis.call('LTRIM', mb, 0, from + k - 2)
    rpushAll(mb, mergeAsc({unpack(win, k)}, near))
  else
    redis.call('LTRIM', mb, 0, sorted - 1)
  end
  return deep
end
local function settle(mb, ms, cap)
  local st = redis.call('HMGET', ms, 'sorted', 'floor', 'build')
  if st[3] and st[3] ~= '' then return end
  local sorted, floor = tonumber(st[1] or '1'), tonumber(st[2] or '0')
  if redis.call('LLEN', mb) <= sorted then return end
  -- The sorted part's newest member (the sentinel '0', below every member, when it has none) and the recent part.
  local top = redis.call('LRANGE', mb, sorted - 1, -1)
  local recent = {unpack(top, 2)}
  local items = oldestFirst(recent, keyOf(floor))
  local deep = {}
  if #items == 0 or items[1] > top[1] then
    -- The common case: all newer than the sorted part, so they go on top of it as they are, or already lie there.
    if not settled(recent, items) then
      redis.call('LTRIM', mb, 0, sorted - 1)
      rpushAll(mb, items)
    end
  else
    deep = mergeStragglers(mb, sorted, items)
  end
  if #deep >= DEEP then
    -- Both sorted: a merge, in one pass (sorting the whole list again cost a demotion 300 µs a mailbox).
    local members = mergeAsc(redis.call('LRANGE', mb, 1, -1), deep)
    redis.call('DEL', mb)
    redis.call('RPUSH', mb, '0')
    rpushAll(mb, members)
  else
    for _, m in ipairs(deep) do insertDeep(mb, m) end
  end
  local len = redis.call('LLEN', mb)
  if len - 1 > cap then
    -- The oldest go: the newest of them (at cut) sets the floor and becomes the sentinel.
    local cut = len - 1 - cap
    floor = math.max(floor, idOf(redis.call('LINDEX', mb, cut)) + 1)
    redis.call('LTRIM', mb, cut, -1)
    redis.call('LSET', mb, 0, '0')
    len = cap + 1
  end
  redis.call('HSET', ms, 'sorted', len, 'floor', fmt(floor))
end
`;
