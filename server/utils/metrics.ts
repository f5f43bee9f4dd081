import { type NotifyMetrics, createNotifyMetrics } from '../lib/metrics/prometheus'

let metrics: NotifyMetrics | undefined

/**
 * The process's Prometheus registry, made on first use (first scrape, first publish or first stats
 * sample): it reads the open streams and the bus when scraped and keeps no state of its own.
 */
export function useNotifyMetrics(): NotifyMetrics {
  metrics ??= createNotifyMetrics({
    openStreamsByRoute: () => openStreams().byRoute,
    bus: () => {
      const { bus } = useBroadcastHub()
      return { ...bus.health(), published: bus.publishedCount }
    },
  })
  return metrics
}

/** Starts timing one publish; call the result once the bus has acknowledged it. */
export function startPublishTimer(): () => void {
  const end = useNotifyMetrics().publishDuration.startTimer()
  return () => void end()
}
