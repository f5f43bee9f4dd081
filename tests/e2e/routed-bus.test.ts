import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRoutedRedisBus } from '../../server/lib/broadcast/routed-redis-bus'
import { BroadcastHub } from '../../server/lib/broadcast/hub'
import type { BusEvent, EventBus } from '../../server/lib/broadcast/bus'
import type { SseSink } from '../../server/lib/sse/sink'
import { startRedis } from '../support/processes'

// The routed bus against a real redis-server, driven directly: one bus publishes (another
// instance), the other serves clients through a real BroadcastHub.
const redis = await startRedis()
const history = { size: 10_000, maxAgeMs: 60_000 }
const busOf = () => createRoutedRedisBus({ url: redis.url, prefix: 'window', history, replicaWaitMs: 1000 })
const buses: EventBus[] = []
afterAll(async () => {
  await Promise.all(buses.map(bus => bus.close()))
  await redis.dispose()
})

/** What a client would get on the wire: the ids, in order. */
function recordingSink() {
  const decoder = new TextDecoder()
  const ids: string[] = []
  const closers: Array<() => void> = []
  const sink = {
    ids,
    closed: false,
    write(chunk: Uint8Array) {
      const id = /^id: (.+)$/m.exec(decoder.decode(chunk))?.[1]
      if (id) ids.push(id)
      return true
    },
    whenWritable: () => Promise.resolve(),
    end() {
      sink.closed = true
    },
    onClose(callback: () => void) {
      closers.push(callback)
    },
    /** The client leaves (the hub hears it through onClose). */
    leave() {
      sink.closed = true
      for (const close of closers.splice(0)) close()
    },
  }
  return sink satisfies SseSink
}

const compareIds = (x: string, y: string) => {
  const [xs, xq] = x.split('-').map(Number)
  const [ys, yq] = y.split('-').map(Number)
  return xs! - ys! || xq! - yq!
}

describe('the routed bus on one Redis', () => {
  it('resumes exactly over several topics while they are being published to, whenever the client comes', async () => {
    const publisher = busOf()
    const serving = busOf()
    buses.push(publisher, serving)
    const hub = new BroadcastHub(serving, 60_000)
    const taken: string[] = []
    serving.onEvent(event => taken.push(event.topic))
    await Promise.all([publisher.ready, serving.ready])

    // Three topics published to as fast as they go, concurrently; clients hold two of them.
    const published: BusEvent[] = []
    let stop = false
    const loops = ['x', 'y', 'z'].map(async (topic) => {
      for (let n = 0; !stop; n++) published.push(await publisher.publish({ topic, event: 'message', data: n }))
    })
    const topics = new Set(['x', 'y'])
    const mine = () => published.filter(event => topics.has(event.topic)).map(event => event.id).sort(compareIds)

    // Meanwhile clients arrive: each resumes from an id it could have seen (one of x's or y's), or
    // comes fresh (every fourth).
    const clients: Array<{ sink: ReturnType<typeof recordingSink>, from?: string }> = []
    for (let i = 0; i < 60; i++) {
      await new Promise(resolve => setTimeout(resolve, 15))
      const seen = mine()
      const from = i % 4 === 3 || seen.length === 0 ? undefined : seen[Math.floor(Math.random() * seen.length)]
      const sink = recordingSink()
      clients.push({ sink, from })
      void hub.subscribe(topics, sink, from)
    }
    stop = true
    await Promise.all(loops)
    // Settled: every client has caught up with the last publish.
    const all = mine()
    const last = all.at(-1)!
    const deadline = Date.now() + 10_000
    while (clients.some(client => client.sink.ids.at(-1) !== last) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))

    for (const { sink, from } of clients) {
      if (from) {
        // Exactly the events of its topics after its id, in order, each once.
        expect(sink.ids).toEqual(all.filter(id => compareIds(id, from) > 0))
      }
      else {
        // From the moment it came, everything, in order, no gap.
        expect(sink.ids.length).toBeGreaterThan(0)
        expect(sink.ids).toEqual(all.slice(all.indexOf(sink.ids[0]!)))
      }
    }
    // Routed: `serving` took none of z's events from Redis.
    expect(taken.length).toBeGreaterThan(0)
    expect(taken).not.toContain('z')
    expect(serving.health()).toMatchObject({ kind: 'redis', connected: true, topology: 'single', subscriptions: 2 })
    await hub.close()
  }, 30_000)

  it('reads back what it missed while its subscriber connection was cut, and delivers it in order', async () => {
    const publisher = busOf()
    const serving = busOf()
    buses.push(publisher, serving)
    const hub = new BroadcastHub(serving, 60_000)
    await Promise.all([publisher.ready, serving.ready])
    const sink = recordingSink()
    await hub.subscribe(new Set(['cut', 'kept']), sink)

    const published: BusEvent[] = []
    let stop = false
    const loops = ['cut', 'kept'].map(async (topic) => {
      while (!stop) {
        published.push(await publisher.publish({ topic, event: 'message', data: null }))
        await new Promise(resolve => setTimeout(resolve, 2))
      }
    })
    await new Promise(resolve => setTimeout(resolve, 200))
    // Redis drops every pub/sub connection (as on a failover or an output-buffer limit): events
    // published until the bus has resubscribed come to it only by reading the streams back.
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 })
    const killed = Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))
    admin.disconnect()
    const atCut = published.length
    await new Promise(resolve => setTimeout(resolve, 500))
    const afterCut = published.length - atCut
    stop = true
    await Promise.all(loops)

    const all = published.map(event => event.id).sort(compareIds)
    const deadline = Date.now() + 10_000
    while (sink.ids.at(-1) !== all.at(-1) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    expect(killed).toBeGreaterThan(0)
    expect(sink.ids).toEqual(all.slice(all.indexOf(sink.ids[0]!)))
    // Publishing went on while the connection was down and coming back.
    expect(afterCut).toBeGreaterThan(10)
    await hub.close()
  }, 30_000)

  it('keeps each topic to its history size, says reset to a client that missed trimmed events, and gives recent events with a resume point', async () => {
    const small = createRoutedRedisBus({ url: redis.url, prefix: 'trim', history: { size: 5, maxAgeMs: 60_000 }, replicaWaitMs: 1000 })
    buses.push(small)
    await small.ready
    const ids: string[] = []
    for (let n = 0; n < 8; n++) ids.push((await small.publish({ topic: 'few', event: 'message', data: n })).id)
    await small.listen!(new Set(['few']))
    // Kept: the last 5. A client that saw the 2nd missed the 3rd (trimmed): reset; one that saw the 3rd: exact.
    expect(await small.replay(new Set(['few']), ids[1]!)).toMatchObject({ reset: { reason: 'history-expired', oldestId: ids[3] } })
    const exact = await small.replay(new Set(['few']), ids[2]!)
    expect('events' in exact && exact.events.map(event => event.id)).toEqual(ids.slice(3))
    const recent = await small.recent('few', 3)
    expect(recent.events.map(event => event.data)).toEqual([5, 6, 7])
    // A stream opened from the resume point gets exactly what came after the read.
    const later = await small.publish({ topic: 'few', event: 'message', data: 8 })
    const hub = new BroadcastHub(small, 60_000)
    const sink = recordingSink()
    await hub.subscribe(new Set(['few']), sink, recent.newestId!)
    const deadline = Date.now() + 5000
    while (!sink.ids.includes(later.id) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    expect(sink.ids).toEqual([later.id])
    small.unlisten!(new Set(['few']))
    await hub.close()
  })

  it('answers a storm of resumes from memory: the gap is read from Redis once, not per client, and exactly', async () => {
    const publisher = busOf()
    const serving = busOf()
    buses.push(publisher, serving)
    const hub = new BroadcastHub(serving, 60_000)
    await Promise.all([publisher.ready, serving.ready])
    const admin = new Redis(redis.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 })
    // XINFO STREAM is read by a replay from Redis only (the reset check), once per topic per read.
    const replayReads = async () => Number(/cmdstat_xinfo\|stream:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0)
    const published: string[] = []
    const publishSome = async (topic: string, count: number) => {
      for (let n = 0; n < count; n++) published.push((await publisher.publish({ topic, event: 'message', data: n })).id)
    }
    const mine = () => published.slice().sort(compareIds)
    const waitForLast = async (sinks: Array<ReturnType<typeof recordingSink>>, what: string) => {
      const last = mine().at(-1)
      const deadline = Date.now() + 10_000
      while (sinks.some(sink => sink.ids.at(-1) !== last) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
      expect(sinks.filter(sink => sink.ids.at(-1) !== last).length, `${what}: clients without the last event`).toBe(0)
    }
    // Clients were on another instance and saw up to `cursor` (or one event earlier); this instance holds neither topic yet.
    await publishSome('storm-a', 3)
    await publishSome('storm-b', 3)
    const [earlier, cursor] = mine().slice(-2) as [string, string]
    await publishSome('storm-a', 2)
    await publishSome('storm-b', 2)
    const readsBefore = await replayReads()
    const storm = Array.from({ length: 200 }, (_, i) => ({ sink: recordingSink(), from: i % 10 === 0 ? earlier : cursor }))
    const topics = new Set(['storm-a', 'storm-b'])
    await Promise.all(storm.map(({ sink, from }) => hub.subscribe(topics, sink, from)))
    await publishSome('storm-b', 2)
    await waitForLast(storm.map(client => client.sink), 'the storm')
    for (const { sink, from } of storm) expect(sink.ids).toEqual(mine().filter(id => compareIds(id, from) > 0))
    // One read per topic and cursor at most (two cursors, two topics), not one per client.
    const stormReads = await replayReads() - readsBefore
    expect(stormReads).toBeGreaterThan(0)
    expect(stormReads).toBeLessThanOrEqual(4)

    // Held now: later resumes, from any cursor since the first read's, come from memory alone.
    await publishSome('storm-a', 3)
    const readsHeld = await replayReads()
    const ids = mine()
    const later = Array.from({ length: 50 }, (_, i) => ({ sink: recordingSink(), from: ids[ids.indexOf(earlier) + (i % (ids.length - ids.indexOf(earlier)))]! }))
    await Promise.all(later.map(({ sink, from }) => hub.subscribe(topics, sink, from)))
    await publishSome('storm-a', 1)
    await waitForLast(later.map(client => client.sink), 'the later resumes')
    for (const { sink, from } of later) expect(sink.ids).toEqual(mine().filter(id => compareIds(id, from) > 0))
    expect(await replayReads() - readsHeld).toBe(0)
    admin.disconnect()
    await hub.close()
  }, 30_000)

  it('resumes a client on a topic no one here held any more: what was published meanwhile comes, once', async () => {
    const bus = busOf()
    buses.push(bus)
    const hub = new BroadcastHub(bus, 60_000)
    await bus.ready
    const waitFor = async (sink: ReturnType<typeof recordingSink>, id: string) => {
      const deadline = Date.now() + 5000
      while (!sink.ids.includes(id) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20))
    }
    const first = recordingSink()
    await hub.subscribe(new Set(['quiet']), first)
    const before = await bus.publish({ topic: 'quiet', event: 'message', data: 'before' })
    await waitFor(first, before.id)
    // The client leaves: this instance holds no topic on that master any more, its link stays open.
    first.leave()
    expect(bus.health().subscriptions).toBe(0)
    const missed = await bus.publish({ topic: 'quiet', event: 'message', data: 'missed' })
    const back = recordingSink()
    await hub.subscribe(new Set(['quiet']), back, before.id)
    await waitFor(back, missed.id)
    expect(back.ids).toEqual([missed.id])
    await hub.close()
  })
})
