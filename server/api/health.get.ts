import type { HealthStatus } from '#shared/types/notify'

/**
 * Liveness and bus state. Stays 200 while Redis is away: this instance still serves pages, counting
 * streams and its subscribers' heartbeats, and taking it out of a load balancer would not bring Redis back.
 */
export default defineEventHandler((): HealthStatus => {
  const hub = useBroadcastHub()
  const bus = hub.bus.health()
  return { status: bus.connected ? 'ok' : 'degraded', bus, uptimeSeconds: hub.uptimeSeconds }
})
