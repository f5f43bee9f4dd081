import { BroadcastHub } from './broadcast-hub'
import { createMemoryBus } from './memory-bus'

let hub: BroadcastHub | undefined

/** The process-wide broadcast hub, created on first use from runtime config. */
export function useBroadcastHub(): BroadcastHub {
  if (!hub) {
    const config = useRuntimeConfig().notify
    const bus = createMemoryBus({ size: config.historySize, maxAgeMs: config.historyMaxAgeMs })
    hub = new BroadcastHub(bus, config.heartbeatMs)
  }
  return hub
}

/** Ends every broadcast stream; the next use starts a fresh hub. */
export async function closeBroadcastHub(): Promise<void> {
  const closing = hub
  hub = undefined
  await closing?.close()
}
