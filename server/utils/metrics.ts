import { countPublishDuration } from '../lib/metrics'
import { type NotifyMetrics, createNotifyMetrics } from '../lib/metrics/prometheus'

let metrics: NotifyMetrics | undefined

/**
 * The process's Prometheus registry, made on first use (the first scrape or publish), so prom-client
 * loads with those routes only: it reads the open streams, the bus and the plain counts when
 * scraped and keeps no state of its own but the publish histogram.
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
  const started = performance.now()
  return () => {
    const seconds = (performance.now() - started) / 1000
    useNotifyMetrics().publishDuration.observe(seconds)
    countPublishDuration(seconds)
  }
}
