/**
 * The presence hash of one topic: a field per instance, `<streams>:<deadline ms>`. Deadlines are read
 * from the Redis server's clock (TIME), never an instance's, so instances with skewed clocks agree.
 * The hash itself expires with its newest entry, so a topic nobody holds leaves nothing behind.
 */

/** KEYS[1] presence hash; ARGV instance id, streams (0 = goodbye), ttl ms. */
export const PRESENCE_SET_SCRIPT = `
local count = tonumber(ARGV[2])
if count <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 0
end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], count .. ':' .. (ms + ttl))
redis.call('PEXPIRE', KEYS[1], ttl)
return count
`

/** KEYS[1] presence hash; ARGV the asking instance's id (its own entry is counted by the caller, live). Returns the other instances' streams, dropping expired entries. */
export const PRESENCE_COUNT_SCRIPT = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local entries = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #entries, 2 do
  local value = entries[i + 1]
  local sep = string.find(value, ':', 1, true)
  local count = sep and tonumber(string.sub(value, 1, sep - 1)) or nil
  local deadline = sep and tonumber(string.sub(value, sep + 1)) or nil
  if not count or not deadline or deadline <= ms then
    redis.call('HDEL', KEYS[1], entries[i])
  elseif entries[i] ~= ARGV[1] then
    total = total + count
  end
end
return total
`
