import type { HealthStatus } from '#shared/types/notify'

/**
 * Liveness, bus and store state. Stays 200 while Redis or the database is away: this instance
 * still serves pages, counting streams, other topics and its subscribers' heartbeats, and taking
 * it out of a load balancer would not bring them back.
 */
export default defineEventHandler((): HealthStatus => {
  const hub = useBroadcastHub()
  const bus = hub.bus.health()
  const store = notifyStoreHealth()
  return { status: bus.connected && store !== 'down' ? 'ok' : 'degraded', bus, store, uptimeSeconds: hub.uptimeSeconds }
})
