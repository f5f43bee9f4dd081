import type { BroadcastPayload } from '#shared/types/notify'
import type { AdminStatsSample } from '#shared/types/admin-stats'
import { ADMIN_STATS_INTERVAL_MS, ADMIN_STATS_TOPIC } from '#shared/utils/admin-stats'
import { STREAM_EVENTS } from '../../composables/useEventStream/stream-events'
import { createStatsSampler } from '#server/lib/metrics'
import { encodeFrame } from '#server/lib/sse'
import { WORKER_PRESET } from '#server/lib/runtime'
import { openStreams } from '#server/lib/streams'

/**
 * Feeds the /status page: every second, while someone subscribes to `admin:stats` on this instance,
 * a sample of this instance (streams, rates, publish latency, memory, bus) is written to them.
 * It goes to the local subscribers only, not through the bus: the numbers are this instance's, and
 * a sample every second would crowd real topics out of the replay history. So it carries no `id:`
 * either, and a reconnecting /status page simply gets the next one.
 */
export default defineNitroPlugin((nitroApp) => {
  // A Worker has no background time between requests (and refuses timers at start-up).
  if (WORKER_PRESET) return
  const next = createStatsSampler({
    openStreamsByRoute: () => openStreams().byRoute,
    bus: () => {
      const { bus } = useBroadcastHub()
      return { ...bus.health(), published: bus.publishedCount }
    },
  })

  const timer = setInterval(() => {
    const hub = useBroadcastHub()
    const sample = next(hub.subscriberCount(ADMIN_STATS_TOPIC) > 0)
    if (!sample) return
    const payload: BroadcastPayload<AdminStatsSample> = { topic: ADMIN_STATS_TOPIC, data: sample, at: new Date(sample.at).toISOString() }
    // Order [0, 0]: not an event of the bus; a subscriber still skipping up to its replay would skip it.
    hub.dispatch({ id: '', order: [0, 0], topic: ADMIN_STATS_TOPIC, event: STREAM_EVENTS.message, data: sample, frame: encodeFrame({ data: JSON.stringify(payload) }), at: sample.at })
  }, ADMIN_STATS_INTERVAL_MS)
  if (typeof timer === 'object' && 'unref' in timer) timer.unref()
  nitroApp.hooks.hook('close', () => clearInterval(timer))
})
