import { afterAll, describe, expect, it } from 'vitest'
import type { BroadcastPayload, HealthStatus, PublishResult } from '#shared/types/notify'
import { type AppInstance, startInstance } from './processes'
import { TOKEN } from './server'
import { eventually, json, openSse } from './sse'

/** Where the bus runs: one redis-server or a Redis Cluster, which the suite may stop and start. */
export interface RedisBackend {
  name: string
  env: Record<string, string>
  stop: () => Promise<void>
  start: () => Promise<void>
}

/**
 * The guarantees of a bus shared by several instances, on any Redis backend: fan-out from A to B,
 * resume across instances, Redis stopping and starting.
 */
export async function redisBusSuite(backend: RedisBackend) {
  const env = {
    ...backend.env,
    NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
    NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
    NUXT_NOTIFY_HEARTBEAT_MS: '200',
  }
  const [a, b] = await Promise.all([startInstance(env), startInstance(env)])
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()])
  })

  const get = <T>(instance: AppInstance, path: string) => fetch(`${instance.url}${path}`).then(response => response.json() as Promise<T>)
  const subscribers = (instance: AppInstance, topic: string) => instance.stats().then(stats => stats.connections.byTopic?.[topic] ?? 0)

  async function subscribe(instance: AppInstance, topic: string, lastEventId?: string) {
    const before = await subscribers(instance, topic)
    const stream = await openSse(`${instance.url}/api/notify/events?topic=${topic}`, lastEventId ? { 'last-event-id': lastEventId } : {})
    await eventually(() => subscribers(instance, topic), n => n > before)
    return stream
  }

  describe(`the broadcast bus on ${backend.name}, two instances`, () => {
    it('says which bus it runs on', async () => {
      expect(await get<HealthStatus>(a, '/api/health')).toMatchObject({ status: 'ok', bus: { kind: 'redis', connected: true } })
    })

    it('delivers a publish on A to subscribers on A and on B, with the same id', async () => {
      const [onA, onB] = [await subscribe(a, 'fan'), await subscribe(b, 'fan')]
      const result = await a.publish({ topic: 'fan', data: { hello: 'from A' } })
      for (const stream of [onA, onB]) {
        await stream.until(s => s.events.length === 1)
        expect(stream.events[0]!.id).toBe(result.id)
        expect(json<BroadcastPayload>(stream.events[0]!).data).toEqual({ hello: 'from A' })
      }
      onA.close()
      onB.close()
    })

    it('gives a client that moves from A to B with its Last-Event-ID exactly what it missed', async () => {
      const onA = await subscribe(a, 'move')
      await a.publish({ topic: 'move', data: 1 })
      await onA.until(s => s.events.length === 1)
      onA.close()
      await b.publish({ topic: 'move', data: 2 })
      await a.publish({ topic: 'elsewhere', data: 'x' })
      await a.publish({ topic: 'move', data: 3 })
      const onB = await subscribe(b, 'move', onA.events[0]!.id)
      await b.publish({ topic: 'move', data: 4 })
      // A marker published last: once it is in, anything doubled before it would be in too.
      await b.publish({ topic: 'move', data: 'end' })
      await onB.until(s => s.events.some(event => json<BroadcastPayload>(event).data === 'end'))
      onB.events.pop()
      expect(onB.events.map(event => json<BroadcastPayload>(event).data)).toEqual([2, 3, 4])
      onB.close()
    })

    it('survives Redis stopping and starting: 503 to publishers meanwhile, subscribers kept, nothing acknowledged lost', async () => {
      const onB = await subscribe(b, 'outage')
      const before = await a.publish({ topic: 'outage', data: 'before' })
      await onB.until(s => s.events.length === 1)

      await backend.stop()
      // Each instance notices on its own (its connections' next error): wait for both, not only a.
      await eventually(() => get<HealthStatus>(a, '/api/health'), health => health.status === 'degraded')
      await eventually(() => b.stats(), stats => !stats.bus.connected)
      expect((await b.stats()).bus).toMatchObject({ kind: 'redis', connected: false })
      const refused = await a.publishRaw({ topic: 'outage', data: 'while down' })
      expect(refused.status).toBe(503)
      expect((await refused.json()).message).toMatch(/Redis/)
      // The instances keep serving what needs no Redis, and the subscriber its heartbeats.
      const counting = await openSse(`${a.url}/api/notify/stream?count=3&interval=10`)
      await counting.ended
      expect(counting.events.filter(event => !event.event)).toHaveLength(3)
      const beats = onB.comments.length
      await onB.until(s => s.comments.length >= beats + 2)

      await backend.start()
      await eventually(() => get<HealthStatus>(a, '/api/health'), health => health.status === 'ok', 10_000)
      const after = await eventually(() => a.publishRaw({ topic: 'outage', data: 'after' }), response => response.ok, 10_000)
      const afterId = ((await after.json()) as PublishResult).id
      await onB.until(s => s.events.length === 2, 10_000)
      expect(onB.events.map(event => json<BroadcastPayload>(event).data)).toEqual(['before', 'after'])

      // What was acknowledged before the restart is still there to replay.
      const replay = await subscribe(b, 'outage', '0-1')
      await replay.until(s => s.events.length === 2)
      expect(replay.events.map(event => event.id)).toEqual([before.id, afterId])
      for (const stream of [onB, replay]) stream.close()
      expect(a.child.exitCode).toBeNull()
      expect(b.child.exitCode).toBeNull()
    })
  })
}
