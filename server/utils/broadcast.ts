import { BroadcastHub, createMemoryBus, createRedisBus } from '#server/lib/broadcast'

let hub: BroadcastHub | undefined

/**
 * The process-wide broadcast hub, created on first use from runtime config: on Redis when
 * `NUXT_NOTIFY_REDIS_URL` is set (several instances), else in memory (one process, nothing to run).
 */
export function useBroadcastHub(): BroadcastHub {
  if (!hub) {
    const config = useNotifyConfig()
    const history = { size: config.historySize, maxAgeMs: config.historyMaxAgeMs, maxEvents: config.historyMaxEvents }
    const bus = config.redisUrl
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
