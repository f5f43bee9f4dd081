import type { NotifyStats } from '#shared/types/notify'

export default defineEventHandler((): NotifyStats => {
  const { total, byRoute } = openConnections()
  const hub = useBroadcastHub()
  return {
    uptimeSeconds: Math.round((Date.now() - hub.startedAt) / 1000),
    connections: { total, byRoute, byTopic: hub.subscribersByTopic() },
    published: hub.bus.publishedCount,
    history: hub.bus.historyInfo(),
  }
})
