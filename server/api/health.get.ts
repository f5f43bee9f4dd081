import type { HealthStatus } from '#shared/types/notify'

/**
 * Liveness, bus and store state. Stays 200 while Redis or the database is away: this instance
 * still serves pages, counting streams, other topics and its subscribers' heartbeats, and taking
 * it out of a load balancer would not bring them back. Public, so the bus is said by its kind and
 * state only: a Redis bus's counts (events received, topics held) move with private topics too
 * (the operator's stats have them).
 */
export default defineEventHandler((): HealthStatus => {
  const hub = useBroadcastHub()
  const { kind, connected, topology } = hub.bus.health()
  const store = notifyStoreHealth()
  return { status: connected && store !== 'down' ? 'ok' : 'degraded', bus: { kind, connected, topology }, store, uptimeSeconds: hub.uptimeSeconds }
})
