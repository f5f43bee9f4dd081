import type { BusStatus } from './notify'

/**
 * One sample of this instance, published every second on the `admin:stats` topic while someone
 * watches it (the /status page). Rates are over the time since the previous sample.
 */
export interface AdminStatsSample {
  /** Milliseconds since the epoch when it was taken. */
  at: number
  /** Open streams by route (`broadcast`, `counting`). */
  streams: Record<string, number>
  /** Events this instance published, per second. */
  publishedPerSecond: number
  /** Event frames written to subscribers, per second. */
  deliveredPerSecond: number
  /** Mean time from a publish request to the bus's acknowledgement, in ms; null when none was published. */
  publishLatencyMs: number | null
  memory: { rssBytes: number, heapUsedBytes: number }
  bus: BusStatus
}
