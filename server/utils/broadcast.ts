import { BroadcastHub, type EventBus, type PublicCountingBus, countPublicPublishes, createDurableBus, createMemoryBus, createRoutedRedisBus, withStoredTopics } from '#server/lib/broadcast'
import { isPrivateTopic, matchesAny, parsePatternList, useAccessConfig } from '#server/lib/access'
import { useDurableStorage } from '#server/lib/cloudflare'
import { type Presence, createMemoryPresence, createRedisPresence } from '#server/lib/presence'

let hub: BroadcastHub<PublicCountingBus> | undefined
let presence: Presence | undefined

/**
 * The process-wide broadcast hub, created on first use from runtime config: inside the
 * cloudflare-durable preset's Durable Object on its storage; on Redis Cluster when
 * `NUXT_NOTIFY_REDIS_CLUSTER_NODES` is set, on one Redis with `NUXT_NOTIFY_REDIS_URL` (several
 * instances either way); else in memory (one process, nothing to run).
 */
export function useBroadcastHub(): BroadcastHub<PublicCountingBus> {
  if (!hub) {
    const config = useNotifyConfig()
    const { privateTopics } = useAccessConfig()
    const bus = countPublicPublishes(withStore(createBus(config), config), topic => !isPrivateTopic(topic, privateTopics))
    hub = new BroadcastHub(bus, config.heartbeatMs, config.maxQueuedBytes)
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
    return createRoutedRedisBus({ url: config.redisUrl, clusterNodes, prefix: config.redisKeyPrefix, history, replicaWaitMs: config.redisReplicaWaitMs, resumeTailBytes: Number(config.resumeTailBytes) })
  }
  return createMemoryBus(history)
}

/**
 * Stored topics (NUXT_NOTIFY_STORED_TOPICS) go through the store: committed before acknowledged,
 * replayed from it past the live history. Where this build has no store (Workers), the bus alone.
 */
function withStore(bus: EventBus, config: ReturnType<typeof useNotifyConfig>): EventBus {
  const stored = parsePatternList(String(config.storedTopics ?? ''))
  if (!stored.length || !hasNotifyStore()) return bus
  if (bus.health().kind === 'redis' && !/^postgres/i.test(String(config.databaseUrl ?? ''))) {
    console.warn('[notify] Stored topics on the Redis bus with SQLite: each instance stores only what it published. Several instances need one database: NUXT_NOTIFY_DATABASE_URL=postgres://...')
  }
  return withStoredTopics(bus, {
    isStored: topic => matchesAny(topic, stored),
    open: openStoredEventLog,
    isDown: () => notifyStoreHealth() === 'down',
    retentionMs: Number(config.retentionDays) * 24 * 60 * 60_000,
  })
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
