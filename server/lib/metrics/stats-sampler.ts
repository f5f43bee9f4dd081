import type { AdminStatsSample } from '#shared/types/admin-stats'
import type { BusStatus } from '#shared/types/notify'
import { readCounts } from './counts'

export interface StatsSources {
  openStreamsByRoute(): Record<string, number>
  bus(): BusStatus & { published: number }
}

interface Totals {
  at: number
  published: number
  delivered: number
  latencySeconds: number
  latencyCount: number
}

/**
 * Turns the running totals into per-second rates for the /status page: each call compares with
 * the previous one. Called every second whether or not anyone watches (reading the totals is a few
 * numbers), so the first sample someone sees covers one second, not the whole time since the last.
 */
export function createStatsSampler(sources: StatsSources) {
  let last: Totals | undefined

  function totals(): Totals {
    const counts = readCounts()
    return { at: Date.now(), published: sources.bus().published, delivered: counts.framesDelivered, latencySeconds: counts.publishSeconds, latencyCount: counts.publishes }
  }

  /** The sample since the previous call, when `wanted` (building it walks every open stream); else only moves on. */
  return function next(wanted: boolean): AdminStatsSample | undefined {
    const now = totals()
    const before = last ?? now
    last = now
    if (!wanted) return undefined
    const seconds = Math.max(0.001, (now.at - before.at) / 1000)
    const publishes = now.latencyCount - before.latencyCount
    const memory = process.memoryUsage()
    return {
      at: now.at,
      streams: sources.openStreamsByRoute(),
      publishedPerSecond: round((now.published - before.published) / seconds),
      deliveredPerSecond: round((now.delivered - before.delivered) / seconds),
      publishLatencyMs: publishes > 0 ? round(((now.latencySeconds - before.latencySeconds) / publishes) * 1000, 3) : null,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      bus: { kind: sources.bus().kind, connected: sources.bus().connected },
    }
  }
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}
