import type { NotifyStats } from '#shared/types/notify'
import { z } from 'zod'

/** `?x=1` turns x on; any other value, or none, leaves it off. */
const flag = z.unknown().optional().transform(value => value === '1')
const statsQuery = z.object({ runtime: flag, gc: flag, reset: flag })

/**
 * Open streams per route and topic, events published, history, bus state. With `?runtime=1` and the
 * publish token also heap, handles and event-loop delay (`&gc=1` collects first, `&reset=1` restarts
 * the delay histogram).
 */
export default defineEventHandler(async (event): Promise<NotifyStats> => {
  const query = await readValidatedQuery(event, statsQuery)
  if (query.runtime) await requirePublishToken(event)
  const { total, byRoute } = openStreams()
  const hub = useBroadcastHub()
  return {
    uptimeSeconds: hub.uptimeSeconds,
    connections: { total, byRoute, byTopic: hub.subscribersByTopic() },
    published: hub.bus.publishedCount,
    history: await hub.bus.historyInfo(),
    bus: hub.bus.health(),
    runtime: query.runtime ? runtimeMetrics({ gc: query.gc, reset: query.reset }) : undefined,
  }
})
