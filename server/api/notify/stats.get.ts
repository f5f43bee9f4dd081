import type { NotifyStats } from '#shared/types/notify'
import { hasAdminToken } from '../../lib/access'

/**
 * Open streams per route (and, with the admin token only, per topic: topic names may be private), events published, history, bus state. With `?runtime=1` and the
 * publish token also heap, handles and event-loop delay (`&gc=1` collects first, `&reset=1` restarts
 * the delay histogram).
 */
export default defineEventHandler(async (event): Promise<NotifyStats> => {
  const query = getQuery(event)
  const withRuntime = query.runtime === '1'
  if (withRuntime) await requirePublishToken(event)
  const { total, byRoute } = openStreams()
  const hub = useBroadcastHub()
  const byTopic = (withRuntime || await hasAdminToken(event)) ? hub.subscribersByTopic() : undefined
  return {
    uptimeSeconds: hub.uptimeSeconds,
    connections: { total, byRoute, byTopic },
    published: hub.bus.publishedCount,
    history: await hub.bus.historyInfo(),
    bus: hub.bus.health(),
    runtime: withRuntime ? runtimeMetrics({ gc: query.gc === '1', reset: query.reset === '1' }) : undefined,
  }
})
