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
 * cap, raising the floor past what it cut. Posts newer than the suffix's head (most of them) go on top; a few older
 * ones (deliveries of concurrent batches that lost the race to a settle) are inserted where they belong, found by
 * walking down from the head; only what lies deeper than a window (a backfill of old posts) rewrites the list. Left
 * to FINISH_BUILD during a rebuild.
 */
export const SETTLE = `${MAILBOX_LUA}
local WINDOW, DEEP = 64, 16
local function rpushAll(key, members)
  for i = 1, #members, 1000 do redis.call('RPUSH', key, unpack(members, i, math.min(i + 999, #members))) end
end
-- Members sorted newest first, without duplicates, at or above the floor's key (not the sentinel).
local function newestFirst(members, low)
  table.sort(members)
  local out, last = {}, nil
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
-- Inserts the older members (newest first) into the sorted list, walking down from its head a few at a time; past the
-- window each is placed by binary search. Returns false, inserting nothing more, when so many lie past the window
-- that rewriting the list is cheaper (a backfill of old posts).
local function insertOlder(mb, older)
  local window, j, fetched, inserted = {}, 1, 0, 0
  for n, m in ipairs(older) do
    while true do
      if j > #window then
        if fetched >= WINDOW then
          if #older - n >= DEEP then return n end
          for k = n, #older do insertDeep(mb, older[k]) end
          return 0
        end
        local more = redis.call('LRANGE', mb, fetched + inserted, fetched + inserted + 15)
        for _, x in ipairs(more) do window[#window + 1] = x end
        fetched = #more > 0 and fetched + #more or WINDOW
      end
      if window[j] > m then j = j + 1 else break end
    end
    if window[j] ~= m then
      redis.call('LINSERT', mb, 'BEFORE', window[j], m)
      table.insert(window, j, m)
      inserted = inserted + 1
    end
  end
  return 0
end
local function settle(mb, ms, fw, owner, cap)
  local st = redis.call('HMGET', ms, 'sorted', 'floor', 'build')
  if st[3] and st[3] ~= '' then return end
  local sorted, floor = tonumber(st[1] or '1'), tonumber(st[2] or '0')
  local u = redis.call('LLEN', mb) - sorted
  if u <= 0 then return end
  local low = keyOf(floor)
  local items = newestFirst(followedOnly(fw, owner, redis.call('LRANGE', mb, 0, u - 1)), low)
  redis.call('LTRIM', mb, u, -1)
  local head = redis.call('LINDEX', mb, 0)
  local newer, older = {}, {}
  for _, m in ipairs(items) do
    if m > head then newer[#newer + 1] = m elseif m ~= head then older[#older + 1] = m end
  end
  local deep = #older > 0 and insertOlder(mb, older) or 0
  if deep > 0 then
    local all = redis.call('LRANGE', mb, 0, -2)
    for _, m in ipairs(newer) do all[#all + 1] = m end
    for n = deep, #older do all[#all + 1] = older[n] end
    local members = newestFirst(all, low)
    members[#members + 1] = '0'
    redis.call('DEL', mb)
    rpushAll(mb, members)
  elseif #newer > 0 then
    local oldestFirst = {}
    for i = #newer, 1, -1 do oldestFirst[#oldestFirst + 1] = newer[i] end
    redis.call('LPUSH', mb, unpack(oldestFirst))
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
