/** Lua: `before(a, b)` is true when stream id `a` (`<ms>-<seq>`) comes before `b`. */
const LUA_ID_BEFORE = `local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end`

/**
 * The routed bus' Lua, run where the topic's slot lives (every key of a script is in that slot).
 *
 * PUBLISH stamps the event with the master's clock, `<ms>-<n * 16384 + slot>`: `ms` is the master's
 * TIME when the script ran, `n` counts the slot's events within that ms (the slot clock key), and the
 * slot number keeps ids unique across slots. So ids are unique across topics, grow in each slot, and
 * on each master `ms` never goes down from one script to the next: the order events leave one master
 * on a connection is their id order by ms. A master whose clock is behind the slot's last stamp (a
 * freshly promoted replica with a slower clock) refuses rather than stamp an id from the past.
 * XADD and SPUBLISH run in one script, so a live event is always in history first.
 *
 * KEYS: stream, slot clock, channel. ARGV: topic, event, data (JSON), at, max length, max age ms, slot.
 */
export const PUBLISH_SCRIPT = `
local time = redis.call('TIME')
local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local n = 0
local last = redis.call('GET', KEYS[2])
if last then
  local lastMs, lastN = string.match(last, '^(%d+)-(%d+)$')
  lastMs = tonumber(lastMs)
  if ms < lastMs then return redis.error_reply('CLOCKBEHIND this master is ' .. (lastMs - ms) .. ' ms behind the slot clock') end
  if ms == lastMs then n = tonumber(lastN) + 1 end
end
local id = string.format('%d-%d', ms, n * 16384 + tonumber(ARGV[7]))
redis.call('SET', KEYS[2], string.format('%d-%d', ms, n), 'PX', math.max(60000, tonumber(ARGV[6])))
redis.call('XADD', KEYS[1], id, 'topic', ARGV[1], 'event', ARGV[2], 'data', ARGV[3], 'at', ARGV[4])
-- Trimmed exactly to the size and the age, and the newest id dropped recorded (XSETID MAXDELETEDID):
-- Redis' max-deleted-entry-id follows XDEL only, and it is what tells a client it missed events.
${LUA_ID_BEFORE}
local dropped = false
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[5])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  dropped = gone[#gone][1]
end
local old = redis.call('XREVRANGE', KEYS[1], string.format('(%d-0', ms - tonumber(ARGV[6])), '-', 'COUNT', 1)
if old[1] and (not dropped or before(dropped, old[1][1])) then dropped = old[1][1] end
if dropped then
  local droppedMs, droppedSeq = string.match(dropped, '^(%d+)-(%d+)$')
  redis.call('XTRIM', KEYS[1], 'MINID', droppedMs .. '-' .. string.format('%d', tonumber(droppedSeq) + 1))
  redis.call('XSETID', KEYS[1], id, 'MAXDELETEDID', dropped)
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SPUBLISH', KEYS[3], id .. '\\n' .. ARGV[2] .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[3])
return id
`

/**
 * TICK: the master's clock, sent on one instance's tick channel (KEYS[1], in a slot of that master).
 * It reaches the instance on the same connection as that master's events, after every event stamped
 * before it: nothing below this ms will come from that master any more.
 */
export const TICK_SCRIPT = `
local time = redis.call('TIME')
redis.call('SPUBLISH', KEYS[1], string.format('%d', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)))
return 1
`

/**
 * RECENT: a topic's newest ARGV[1] events and its master's clock, read at one instant (KEYS[1]:
 * stream). Whatever the topic gets after this read is stamped at this ms or later.
 */
export const RECENT_SCRIPT = `
local time = redis.call('TIME')
local ms = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
return { string.format('%d', ms), redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1]) }
`
