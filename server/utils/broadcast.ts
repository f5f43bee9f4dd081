import { BroadcastHub, createDurableBus, createMemoryBus, createRedisBus } from '#server/lib/broadcast'
import { useDurableStorage } from '#server/lib/cloudflare'

let hub: BroadcastHub | undefined

/**
 * The process-wide broadcast hub, created on first use from runtime config: on Redis when
 * `NUXT_NOTIFY_REDIS_URL` is set (several instances), else in memory (one process, nothing to run);
 * inside the cloudflare-durable preset's Durable Object, on its storage.
 */
export function useBroadcastHub(): BroadcastHub {
  if (!hub) {
    const config = useNotifyConfig()
    const history = { size: config.historySize, maxAgeMs: config.historyMaxAgeMs, maxEvents: config.historyMaxEvents }
    const storage = useDurableStorage()
    const bus = storage
      ? createDurableBus(storage, history)
      : config.redisUrl
        ? createRedisBus({ url: config.redisUrl, key: config.redisStreamKey, history })
        : createMemoryBus(history)
    hub = new BroadcastHub(bus, config.heartbeatMs, config.maxQueuedBytes)
  }
  return hub
}

/** Ends every broadcast stream and closes the bus; the next use starts a fresh hub. */
export async function closeBroadcastHub(): Promise<void> {
  const closing = hub
  hub = undefined
  await closing?.close()
}
