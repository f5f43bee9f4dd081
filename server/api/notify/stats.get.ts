import type { NotifyStats } from '#shared/types/notify'
import { hasAdminToken } from '#server/lib/access'
import { z } from 'zod'
import { answerPrivately } from '#server/lib/http'

/** `?x=1` turns x on; any other value, or none, leaves it off. */
const flag = z.unknown().optional().transform(value => value === '1')
const statsQuery = z.object({ runtime: flag, gc: flag, reset: flag })

/**
 * Open streams per route (per topic only with the admin token: topic names may be private), events
 * published, history, bus state. With `?runtime=1` and the
 * publish token also heap, handles and event-loop delay (`&gc=1` collects first, `&reset=1` restarts
 * the delay histogram).
 */
export default defineEventHandler(async (event): Promise<NotifyStats> => {
  const query = await readValidatedQuery(event, statsQuery)
  if (query.runtime) await requirePublishToken(event)
  // The breakdown by topic and the runtime figures come with the operator's token only.
  answerPrivately(event, 'authorization')
  const { total, byRoute } = openStreams()
  const hub = useBroadcastHub()
  const byTopic = (query.runtime || await hasAdminToken(event)) ? hub.subscribersByTopic() : undefined
  return {
    uptimeSeconds: hub.uptimeSeconds,
    connections: { total, byRoute, byTopic },
    published: hub.bus.publishedCount,
    history: await hub.bus.historyInfo(),
    bus: hub.bus.health(),
    runtime: query.runtime ? runtimeMetrics({ gc: query.gc, reset: query.reset }) : undefined,
  }
})
