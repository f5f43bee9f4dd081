import type { NotifyStats } from '#shared/types/notify'

export default defineEventHandler(async (): Promise<NotifyStats> => {
  const { total, byRoute } = openStreams()
  const hub = useBroadcastHub()
  return {
    uptimeSeconds: Math.round((Date.now() - hub.startedAt) / 1000),
    connections: { total, byRoute, byTopic: hub.subscribersByTopic() },
    published: hub.bus.publishedCount,
    history: await hub.bus.historyInfo(),
    bus: hub.bus.health(),
  }
})
