import { type NotifyMetrics, countPublishDuration, createNotifyMetrics } from '#server/lib/metrics'
import { runtimeMetrics } from '#server/lib/runtime'
import { openStreams } from '#server/lib/streams'
import { readStoreCounts } from '#server/lib/store'

let metrics: NotifyMetrics | undefined

/**
 * The process's Prometheus registry (server/lib/metrics), made once: it reads the open streams,
 * the bus and the plain counts when scraped and keeps no state of its own but the publish histogram.
 */
export function useNotifyMetrics(): NotifyMetrics {
  metrics ??= createNotifyMetrics({
    openStreamsByRoute: () => openStreams().byRoute,
    bus: () => {
      const { bus } = useBroadcastHub()
      return { ...bus.health(), published: bus.publishedCount }
    },
    store: () => hasNotifyStore() ? readStoreCounts() : undefined,
    onlineUsers: () => usePresence().onlineUsersHere(),
    eventLoopDelayMs: () => {
      try {
        return runtimeMetrics().eventLoopDelayMs
      }
      catch { /* a runtime without the process APIs it reads */ }
    },
  })
  return metrics
}

/** Starts timing one publish; call the result once the bus has acknowledged it. */
export function startPublishTimer(): () => void {
  const started = performance.now()
  return () => {
    const seconds = (performance.now() - started) / 1000
    useNotifyMetrics().publishDuration.observe(seconds)
    countPublishDuration(seconds)
  }
}
