import { createError } from 'h3'
import type { RedisOptions } from 'ioredis'

/**
 * What both Redis buses (redis-bus.ts: one delivery stream; routed-redis-bus.ts: per-topic streams,
 * Redis Cluster) agree on: how a connection behaves while Redis is away, how that is logged and
 * answered, and the Lua id order their publish scripts trim by.
 */

/** No offline queue: while Redis is away a publish fails at once (503) instead of hanging. */
export const REDIS_CONNECTION: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  retryStrategy: times => Math.min(times * 200, 2000),
}

/** How long a publish waits for the bus to be ready (its reading loop placed) before it answers 503. */
export const READY_WAIT_MS = 2000

/** A connection `error` listener: ioredis emits one per reconnect attempt, one line every 10 s is enough. */
export function redisErrorLogger(): (error: Error) => void {
  let lastLogged = 0
  return (error) => {
    if (Date.now() - lastLogged < 10_000) return
    lastLogged = Date.now()
    console.warn(`[notify] Redis unavailable (${error.message}); retrying`)
  }
}

/** The 503 a publish gets while Redis can't take it. */
export function busUnavailable() {
  return createError({
    statusCode: 503,
    statusMessage: 'Service Unavailable',
    message: 'The message bus (Redis) is unavailable; the event was not published. Retry shortly.',
  })
}

/** True when `promise` settles within `ms`, false at the deadline (the timer never outlives the race). */
export function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>(resolve => (timer = setTimeout(resolve, ms, false)))
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer))
}

/** Lua: `before(a, b)` is true when stream id `a` (`<ms>-<seq>`) comes before `b`. */
export const LUA_ID_BEFORE = `local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end`
