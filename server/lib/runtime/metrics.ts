import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { RuntimeMetrics } from '#shared/types/notify'

let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined
// The histogram records the time between ticks of a timer of this period: the delay is the excess.
const RESOLUTION_MS = 10

/** Starts sampling event-loop delay (Node; a no-op where the runtime has no such histogram). */
export function startEventLoopMonitor(): void {
  try {
    histogram ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS })
    histogram.enable()
  }
  catch {
    histogram = undefined
  }
}

/**
 * Heap, RSS, live handles by type and event-loop delay since the last `reset`: what the leak and
 * load tests read from the real server. `gc` runs a full collection first (node --expose-gc).
 */
export function runtimeMetrics(options: { gc?: boolean, reset?: boolean } = {}): RuntimeMetrics {
  const collect = (globalThis as { gc?: () => void }).gc
  if (options.gc && collect) collect()
  const activeResources: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo?.() ?? []) activeResources[name] = (activeResources[name] ?? 0) + 1
  const ms = (ns: number | undefined) => Math.max(0, Math.round((ns ?? 0) / 1e4) / 100 - RESOLUTION_MS)
  const delay = histogram
    ? { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }
    : undefined
  if (options.reset) histogram?.reset()
  const memory = process.memoryUsage()
  return { heapUsedBytes: memory.heapUsed, rssBytes: memory.rss, activeResources, eventLoopDelayMs: delay, gcRan: !!(options.gc && collect) }
}
