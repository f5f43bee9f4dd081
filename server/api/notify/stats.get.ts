import type { NotifyStats } from '#shared/types/notify'
import { isOperator, requireOperator } from '#server/lib/access'
import { z } from 'zod'
import { answerPrivately, readValidatedQuery } from '#server/lib/http'
import { runtimeMetrics } from '#server/lib/runtime'
import { openStreams } from '#server/lib/streams'

/** `?x=1` turns x on; any other value, or none, leaves it off. */
const flag = z.unknown().optional().transform(value => value === '1')
const statsQuery = z.object({ runtime: flag, gc: flag, reset: flag })

/**
 * Open streams per route (per topic only for the operator: topic names may be private), events
 * published, history, bus state. With `?runtime=1`, for the operator only, also heap, handles and
 * event-loop delay (`&gc=1` collects first, `&reset=1` restarts the delay histogram).
 */
export default defineEventHandler(async (event): Promise<NotifyStats> => {
  const query = await readValidatedQuery(event, statsQuery)
  if (query.runtime) await requireOperator(event)
  // The breakdown by topic and the runtime figures come with the operator's token only.
  answerPrivately(event, 'authorization')
  const { total, byRoute } = openStreams()
  const hub = useBroadcastHub()
  const operator = query.runtime || await isOperator(event)
  const bus = hub.bus.health()
  if (!operator) {
    // Public figures count public topics only: the newest id, the history's size or a Redis bus's
    // counts across every topic would let anyone watch a private topic's activity.
    return {
      uptimeSeconds: hub.uptimeSeconds,
      connections: { total, byRoute },
      published: hub.bus.publicPublishedCount,
      bus: { kind: bus.kind, connected: bus.connected, topology: bus.topology },
    }
  }
  return {
    uptimeSeconds: hub.uptimeSeconds,
    connections: { total, byRoute, byTopic: hub.subscribersByTopic() },
    published: hub.bus.publishedCount,
    history: await hub.bus.historyInfo(),
    bus,
    runtime: query.runtime ? runtimeMetrics({ gc: query.gc, reset: query.reset }) : undefined,
  }
})
