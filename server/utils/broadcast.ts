import { BroadcastHub, type EventBus, createDurableBus, createMemoryBus, createRoutedRedisBus } from '#server/lib/broadcast'
import { useDurableStorage } from '#server/lib/cloudflare'
import { type Presence, createMemoryPresence, createRedisPresence } from '#server/lib/presence'

let hub: BroadcastHub | undefined
let presence: Presence | undefined

/**
 * The process-wide broadcast hub, created on first use from runtime config: inside the
 * cloudflare-durable preset's Durable Object on its storage; on Redis Cluster when
 * `NUXT_NOTIFY_REDIS_CLUSTER_NODES` is set, on one Redis with `NUXT_NOTIFY_REDIS_URL` (several
 * instances either way); else in memory (one process, nothing to run).
 */
export function useBroadcastHub(): BroadcastHub {
  if (!hub) {
    const config = useNotifyConfig()
    hub = new BroadcastHub(createBus(config), config.heartbeatMs, config.maxQueuedBytes)
  }
  return hub
}

/**
 * Who has a stream open on a topic across the instances of this hub: on Redis (one or a cluster,
 * the bus's), else the hub's own counts. Lives and ends with the hub.
 */
export function usePresence(): Presence {
  if (!presence) {
    const config = useNotifyConfig()
    const local = useBroadcastHub()
    const clusterNodes = redisClusterNodes(config)
    presence = !useDurableStorage() && (clusterNodes.length || config.redisUrl)
      ? createRedisPresence(local, { url: config.redisUrl, clusterNodes, prefix: config.redisKeyPrefix, heartbeatMs: config.heartbeatMs })
      : createMemoryPresence(local)
  }
  return presence
}

function redisClusterNodes(config: ReturnType<typeof useNotifyConfig>): string[] {
  return String(config.redisClusterNodes || '').split(',').map(node => node.trim()).filter(Boolean)
}

function createBus(config: ReturnType<typeof useNotifyConfig>): EventBus {
  const history = { size: config.historySize, maxAgeMs: config.historyMaxAgeMs, maxEvents: config.historyMaxEvents }
  const storage = useDurableStorage()
  if (storage) return createDurableBus(storage, history)
  const clusterNodes = redisClusterNodes(config)
  if (clusterNodes.length || config.redisUrl) {
    return createRoutedRedisBus({ url: config.redisUrl, clusterNodes, prefix: config.redisKeyPrefix, history, replicaWaitMs: config.redisReplicaWaitMs })
  }
  return createMemoryBus(history)
}

/** Ends every broadcast stream and closes the bus; the next use starts a fresh hub. */
export async function closeBroadcastHub(): Promise<void> {
  const closing = hub
  const leaving = presence
  hub = undefined
  presence = undefined
  await closing?.close()
  // After the streams ended: the goodbye removes this instance's entries at once.
  await leaving?.close()
}
