import { Cluster, Redis } from 'ioredis'
import { type IdempotencyKeyStore, createMemoryKeyStore, createRedisKeyStore } from '#server/lib/publish'

let keys: IdempotencyKeyStore | undefined

/**
 * Where publishes' Idempotency-Keys of topics that are not stored are kept (stored topics keep theirs
 * in the database, with the event): in Redis when the bus is (every instance sees them), else in
 * this process. Made on the first publish with a key.
 */
export function useIdempotencyKeys(): IdempotencyKeyStore {
  if (keys) return keys
  const { redisUrl, redisClusterNodes, redisKeyPrefix } = useNotifyConfig()
  const nodes = String(redisClusterNodes || '').split(',').map(node => node.trim()).filter(Boolean)
  // No offline queue: while Redis is away a keyed publish fails at once (503), as the bus does.
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'notify-idempotency' }
  if (nodes.length) {
    const cluster = new Cluster(nodes.map((node) => {
      const [host, port] = node.split(':')
      return { host, port: Number(port) }
    }), { enableOfflineQueue: false, redisOptions: options })
    cluster.on('error', () => {})
    keys = createRedisKeyStore(cluster, redisKeyPrefix)
  }
  else if (redisUrl) {
    const redis = new Redis(redisUrl, options)
    redis.on('error', () => {})
    keys = createRedisKeyStore(redis, redisKeyPrefix)
  }
  else {
    keys = createMemoryKeyStore()
  }
  return keys
}

export async function closeIdempotencyKeys(): Promise<void> {
  const closing = keys
  keys = undefined
  await closing?.close()
}
