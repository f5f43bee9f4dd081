import type { HealthStatus } from '#shared/types/notify'

/**
 * Liveness and bus state. Stays 200 while Redis is away: this instance still serves pages, counting
 * streams and its subscribers' heartbeats, and taking it out of a load balancer would not bring Redis back.
 * Public, so the bus is said by its kind and state only: a Redis bus's counts (events received, topics
 * held) move with private topics too (the operator's stats have them).
 */
export default defineEventHandler((): HealthStatus => {
  const hub = useBroadcastHub()
  const { kind, connected, topology } = hub.bus.health()
  return { status: connected ? 'ok' : 'degraded', bus: { kind, connected, topology }, uptimeSeconds: hub.uptimeSeconds }
})
