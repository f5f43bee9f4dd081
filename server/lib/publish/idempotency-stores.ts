import { refusal } from '#server/lib/http'
import type { Cluster, Redis } from 'ioredis'
import type { IdempotencyRecord, IdempotencyRequest } from '#shared/types/idempotency'
import type { IdempotencyKeyStore } from './idempotency'

/** A finished publish's key is kept this long. */
export const KEY_TTL_MS = 24 * 60 * 60_000
/** A key claimed by a publish under way: if the process dies meanwhile, it is free again after this. */
const PENDING_TTL_MS = 30_000

type Entry = { pendingHash: string, expires: number } | { record: IdempotencyRecord, expires: number }

/** Keys in this process's memory: one instance (the memory bus). Expired keys go as they are met, and by a sweep. */
export function createMemoryKeyStore(): IdempotencyKeyStore {
  const keys = new Map<string, Entry>()
  const id = ({ scope, key }: IdempotencyRequest) => `${scope}\n${key}`
  let sweeps = 0
  const sweep = (now: number) => {
    // Map order is insertion order, near enough expiry order: drop from the front.
    for (const [name, entry] of keys) {
      if (entry.expires > now) break
      keys.delete(name)
    }
  }
  return {
    async claim(request) {
      const now = Date.now()
      if (++sweeps % 256 === 0) sweep(now)
      const entry = keys.get(id(request))
      if (entry && entry.expires > now) return 'record' in entry ? { claimed: false, record: entry.record } : { claimed: false, pendingHash: entry.pendingHash }
      keys.delete(id(request))
      keys.set(id(request), { pendingHash: request.bodyHash, expires: now + PENDING_TTL_MS })
      return { claimed: true }
    },
    async complete(request, record) {
      keys.delete(id(request))
      keys.set(id(request), { record, expires: Date.now() + KEY_TTL_MS })
    },
    async release(request) {
      keys.delete(id(request))
    },
    async close() {
      keys.clear()
    },
  }
}

/**
 * Keys in Redis, shared by every instance on the bus: SET NX claims one (so two instances given the
 * same key at once publish once), with a short expiry while pending and 24 hours once done.
 */
export function createRedisKeyStore(redis: Redis | Cluster, prefix: string): IdempotencyKeyStore {
  const name = ({ scope, key }: IdempotencyRequest) => `${prefix}:idempotency:${scope}:${key}`
  /** Redis' link up (the first keyed publish may come before it is): else 503, as the bus answers. */
  const connected = async () => {
    if (redis.status === 'ready') return
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_WAIT_MS)
      redis.once('ready', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    if (!(await ready)) throw redisUnavailable()
  }
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    await connected()
    try {
      return await work()
    }
    catch {
      throw redisUnavailable()
    }
  }
  return {
    claim: request => guarded(() => claim(request)),
    complete: (request, record) => guarded(async () => {
      await redis.set(name(request), JSON.stringify({ record }), 'PX', KEY_TTL_MS)
    }),
    release: request => guarded(async () => {
      await redis.del(name(request))
    }),
    async close() {
      redis.disconnect()
    },
  }

  async function claim(request: IdempotencyRequest): Promise<Awaited<ReturnType<IdempotencyKeyStore['claim']>>> {
    for (;;) {
      const taken = await redis.set(name(request), JSON.stringify({ pendingHash: request.bodyHash }), 'PX', PENDING_TTL_MS, 'NX')
      if (taken === 'OK') return { claimed: true }
      const value = await redis.get(name(request))
      // Gone between the two commands (released, or expired): claim again.
      if (value === null) continue
      const entry = JSON.parse(value) as { pendingHash?: string, record?: IdempotencyRecord }
      return { claimed: false, record: entry.record, pendingHash: entry.pendingHash }
    }
  }
}

const READY_WAIT_MS = 2000

function redisUnavailable() {
  return refusal('bus.unavailable', 'Redis (which keeps Idempotency-Keys) is unavailable; the event was not published. Retry shortly.')
}
