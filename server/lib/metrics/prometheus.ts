import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { PUSH_RESULTS, REPLAY_RESULTS, STREAM_REFUSAL_REASONS, readCounts } from './counts'

/** What the registry reads on every scrape: it keeps no copy of the server's state. */
export interface MetricsSources {
  /** Open streams by route (`broadcast`, `counting`). */
  openStreamsByRoute(): Record<string, number>
  bus(): { kind: string, connected: boolean, published: number }
  /** Users with a stream open on their own topic `user:<id>` on this instance (presence). */
  onlineUsers(): number
  /** Event-loop delay percentiles from the process's own monitor (lib/runtime), when the runtime has one. */
  eventLoopDelayMs(): { p50: number, p99: number, max: number } | undefined
  /** The store's counts (server/lib/store), where this build has one. */
  store?(): StoreMetricCounts | undefined
}

/** What the store counts (server/lib/store's StoreCounts): no label, so no topic or user, ever. */
export interface StoreMetricCounts {
  writes: number
  batches: number
  batchSeconds: number
  errors: number
  swept: number
  inboxWrites: number
  inboxItems: number
  inboxSeconds: number
}

export interface NotifyMetrics {
  registry: Registry
  /** Publish request to bus acknowledgement, in seconds; observed by the publish route. */
  publishDuration: Histogram
}

/** Routes that always have a series, 0 included, so a dashboard never sees one vanish. */
const ROUTES = ['broadcast', 'counting'] as const

/**
 * The app's Prometheus registry. Every `notify_*` series is computed when scraped (collect
 * callbacks over the plain counts and the live state), except the publish histogram, which is
 * observed once per publish. No label is a topic, a user or an address: only routes, the bus kind,
 * closed sets of reasons and results.
 */
export function createNotifyMetrics(sources: MetricsSources): NotifyMetrics {
  const registry = new Registry()
  const registers = [registry]
  registerProcessMetrics(registers, sources)

  new Gauge({
    name: 'notify_streams_open',
    help: 'Open SSE streams on this instance, by route.',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset()
      for (const route of ROUTES) this.set({ route }, 0)
      for (const [route, open] of Object.entries(sources.openStreamsByRoute())) this.set({ route }, open)
    },
  })

  new Counter({
    name: 'notify_events_published_total',
    help: 'Events this instance accepted for publishing (acknowledged by the bus).',
    labelNames: ['bus'],
    registers,
    collect() {
      const { kind, published } = sources.bus()
      this.reset()
      this.inc({ bus: kind }, published)
    },
  })

  new Counter({
    name: 'notify_frames_delivered_total',
    help: 'Event frames written to subscribers by the live fan-out (one per subscriber per event).',
    registers,
    collect() {
      this.reset()
      this.inc(readCounts().framesDelivered)
    },
  })

  new Counter({
    name: 'notify_replays_total',
    help: 'Reconnects with a Last-Event-ID: replayed from history, or told to reset.',
    labelNames: ['result'],
    registers,
    collect() {
      const { replays } = readCounts()
      this.reset()
      for (const result of REPLAY_RESULTS) this.inc({ result }, replays[result])
    },
  })

  new Counter({
    name: 'notify_stream_refusals_total',
    help: 'Streams refused before their first byte: caps, shutdown, 401 (no credentials), 403 (not granted).',
    labelNames: ['reason'],
    registers,
    collect() {
      const { refusals } = readCounts()
      this.reset()
      for (const reason of STREAM_REFUSAL_REASONS) this.inc({ reason }, refusals[reason])
    },
  })

  new Counter({
    name: 'notify_slow_consumers_total',
    help: 'Subscribers disconnected for falling more than NUXT_NOTIFY_MAX_QUEUED_BYTES behind.',
    registers,
    collect() {
      this.reset()
      this.inc(readCounts().slowConsumers)
    },
  })

  new Counter({
    name: 'notify_push_messages_total',
    help: 'Web Push messages to one device each: sent, gone (404/410, the device removed), failed (after retries).',
    labelNames: ['result'],
    registers,
    collect() {
      const { pushes } = readCounts()
      this.reset()
      for (const result of PUSH_RESULTS) this.inc({ result }, pushes[result])
    },
  })

  new Gauge({
    name: 'notify_users_online',
    help: 'Users with a stream open on their own topic (user:<id>) on this instance. A user on two instances counts on both.',
    registers,
    collect() {
      this.set(sources.onlineUsers())
    },
  })

  new Gauge({
    name: 'notify_bus_connected',
    help: '1 while the broadcast bus is reachable (always for memory; Redis: both connections ready).',
    labelNames: ['bus'],
    registers,
    collect() {
      const { kind, connected } = sources.bus()
      this.reset()
      this.set({ bus: kind }, connected ? 1 : 0)
    },
  })

  registerStoreMetrics(registers, sources)

  const publishDuration = new Histogram({
    name: 'notify_publish_duration_seconds',
    help: 'From a publish request reaching its handler to the bus acknowledging the event.',
    // Memory: well under a millisecond; Redis: a round trip or two; past a second something is wrong.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  })

  return { registry, publishDuration }
}

/** The store's series: present (at 0) where the build has a store, absent where it has none. */
function registerStoreMetrics(registers: Registry[], sources: MetricsSources) {
  const counter = (name: string, help: string, read: (counts: StoreMetricCounts) => number) => new Counter({
    name,
    help,
    registers,
    collect() {
      this.reset()
      const counts = sources.store?.()
      if (counts) this.inc(read(counts))
    },
  })
  counter('notify_store_writes_total', 'Stored topics\' events committed to the store.', counts => counts.writes)
  counter('notify_store_write_batches_total', 'Group commits (one transaction each) of stored topics\' events.', counts => counts.batches)
  counter('notify_store_write_seconds_total', 'Time spent committing those batches: divided by the batches, the mean write latency.', counts => counts.batchSeconds)
  counter('notify_store_errors_total', 'Store statements (writes, reads, sweeps) that failed.', counts => counts.errors)
  counter('notify_store_swept_total', 'Stored events deleted by the retention sweeper (NUXT_NOTIFY_RETENTION_DAYS).', counts => counts.swept)
  counter('notify_store_inbox_writes_total', 'Inbox writes (an item marked read or archived, read-all, seen) committed to the store.', counts => counts.inboxWrites)
  counter('notify_store_inbox_items_total', 'Inbox items whose seen, read or archived state those writes changed.', counts => counts.inboxItems)
  counter('notify_store_inbox_write_seconds_total', 'Time spent in those writes: divided by the writes, the mean inbox write latency.', counts => counts.inboxSeconds)
}

/**
 * The process series of prom-client's defaults that an operator of this server reads (same names),
 * computed when scraped. Not `collectDefaultMetrics()`: that starts a second event-loop monitor and a
 * GC observer for good, and with them the event-loop p99 under a 1,000-subscriber fan-out measured
 * about 1.6x higher (leaks test, same machine, alternating runs); it also needs process.cpuUsage,
 * which Workers lack.
 */
function registerProcessMetrics(registers: Registry[], sources: MetricsSources) {
  // Workers' process has no memoryUsage (or one that throws): then these series stay empty.
  const memory = () => {
    try {
      return process.memoryUsage()
    }
    catch {
      return undefined
    }
  }
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers,
    collect() {
      const rss = memory()?.rss
      if (rss !== undefined) this.set(rss)
    },
  })
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers,
    collect() {
      const used = memory()?.heapUsed
      if (used !== undefined) this.set(used)
    },
  })
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds: how long a callback queued at scrape time waited to run.',
    registers,
    // As prom-client measures it: the time until a setImmediate callback runs.
    collect() {
      const start = performance.now()
      return new Promise<void>(resolve => setImmediate(() => {
        this.set((performance.now() - start) / 1000)
        resolve()
      }))
    },
  })
  const delay = new Gauge({
    name: 'nodejs_eventloop_delay_seconds',
    help: 'Event-loop delay since the process started (or the last /api/notify/stats?runtime=1&reset=1), by quantile.',
    labelNames: ['quantile'],
    registers,
    collect() {
      const delays = sources.eventLoopDelayMs()
      delay.reset()
      if (!delays) return
      delay.set({ quantile: '0.5' }, delays.p50 / 1000)
      delay.set({ quantile: '0.99' }, delays.p99 / 1000)
      delay.set({ quantile: '1' }, delays.max / 1000)
    },
  })
}
