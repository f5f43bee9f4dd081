import { afterEach, describe, expect, it, vi } from 'vitest'
import { BroadcastHub } from '../../server/lib/broadcast/hub'
import type { EventBus } from '../../server/lib/broadcast/bus'
import { createMemoryBus } from '../../server/lib/broadcast/memory-bus'
import type { SseSink } from '../../server/lib/sse/sink'

/** A sink that records what would go on the wire. */
function recordingSink(options: { refuse?: boolean } = {}) {
  const decoder = new TextDecoder()
  const closers: Array<() => void> = []
  const sink = {
    chunks: [] as Uint8Array[],
    closed: false,
    get text() {
      return sink.chunks.map(chunk => decoder.decode(chunk)).join('')
    },
    get ids() {
      return [...sink.text.matchAll(/^id: (.+)$/gm)].map(match => match[1])
    },
    write(chunk: Uint8Array) {
      if (sink.closed || options.refuse) return false
      sink.chunks.push(chunk)
      return true
    },
    whenWritable: () => Promise.resolve(),
    end() {
      sink.closed = true
      for (const close of closers.splice(0)) close()
    },
    onClose(callback: () => void) {
      closers.push(callback)
    },
  }
  return sink satisfies SseSink
}

const hubs: BroadcastHub[] = []
function createHub(heartbeatMs = 60_000, bus: EventBus = createMemoryBus({ size: 100, maxAgeMs: 60_000 })) {
  const hub = new BroadcastHub(bus, heartbeatMs)
  hubs.push(hub)
  return hub
}
afterEach(async () => {
  await Promise.all(hubs.splice(0).map(hub => hub.close()))
  vi.useRealTimers()
})

describe('BroadcastHub', () => {
  it('writes the very same bytes to every subscriber of the topic, and to no one else', async () => {
    const hub = createHub()
    const [a1, a2, b] = [recordingSink(), recordingSink(), recordingSink()]
    await hub.subscribe(new Set(['a']), a1)
    await hub.subscribe(new Set(['a', 'x']), a2)
    await hub.subscribe(new Set(['b']), b)
    const event = await hub.bus.publish({ topic: 'a', event: 'message', data: 1 })
    expect(a1.chunks).toEqual([event.frame])
    expect(a2.chunks[0]).toBe(a1.chunks[0])
    expect(b.chunks).toEqual([])
    expect(hub.subscribersByTopic()).toEqual({ a: 2, x: 1, b: 1 })
  })

  it('replays what a reconnecting subscriber missed, then goes live, with nothing lost or doubled', async () => {
    const bus = createMemoryBus({ size: 100, maxAgeMs: 60_000 })
    // A replay that takes a while, during which live events keep arriving.
    let releaseReplay!: () => void
    const slowBus: EventBus = Object.assign(Object.create(bus) as EventBus, {
      replay: async (...args: Parameters<EventBus['replay']>) => {
        const result = await bus.replay(...args)
        await new Promise<void>(resolve => (releaseReplay = resolve))
        return result
      },
      onEvent: bus.onEvent,
      publish: bus.publish,
    })
    const hub = createHub(60_000, slowBus)
    const seen = await bus.publish({ topic: 'a', event: 'message', data: 0 })
    const missed = [await bus.publish({ topic: 'a', event: 'message', data: 1 }), await bus.publish({ topic: 'b', event: 'message', data: 'other' })]
    const sink = recordingSink()
    const subscribing = hub.subscribe(new Set(['a']), sink, seen.id)
    await vi.waitFor(() => expect(releaseReplay).toBeTypeOf('function'))
    const live = await bus.publish({ topic: 'a', event: 'message', data: 2 })
    expect(sink.chunks).toEqual([])
    releaseReplay()
    await subscribing
    const after = await bus.publish({ topic: 'a', event: 'message', data: 3 })
    expect(sink.ids).toEqual([missed[0]!.id, live.id, after.id])
  })

  it('sends a reset event (moving the client to the newest id) when history cannot cover the gap', async () => {
    const hub = createHub(60_000, createMemoryBus({ size: 1, maxAgeMs: 60_000 }))
    const old = await hub.bus.publish({ topic: 'a', event: 'message', data: 0 })
    await hub.bus.publish({ topic: 'a', event: 'message', data: 1 })
    const newest = await hub.bus.publish({ topic: 'a', event: 'message', data: 2 })
    const sink = recordingSink()
    await hub.subscribe(new Set(['a']), sink, old.id)
    expect(sink.text).toBe(`id: ${newest.id}\nevent: reset\ndata: {"reason":"history-expired","oldestId":"${newest.id}"}\n\n`)
  })

  it('forgets a subscriber when its stream closes, and counts only live deliveries', async () => {
    const hub = createHub()
    const [open, gone, refusing] = [recordingSink(), recordingSink(), recordingSink({ refuse: true })]
    for (const sink of [open, gone, refusing]) await hub.subscribe(new Set(['a']), sink)
    gone.end()
    expect(hub.size).toBe(2)
    const event = await hub.bus.publish({ topic: 'a', event: 'message', data: 1 })
    expect(hub.dispatch(event)).toBe(1)
  })

  it('sends one heartbeat comment to every subscriber from a single timer', async () => {
    vi.useFakeTimers()
    const hub = createHub(1000)
    const [a, b] = [recordingSink(), recordingSink()]
    await hub.subscribe(new Set(['a']), a)
    await hub.subscribe(new Set(['b']), b)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(2500)
    expect(a.text).toBe(':\n\n:\n\n')
    expect(b.text).toBe(':\n\n:\n\n')
  })

  it('ends every stream on close', async () => {
    const hub = createHub()
    const sink = recordingSink()
    await hub.subscribe(new Set(['a']), sink)
    await hub.close()
    expect(sink.closed).toBe(true)
    expect(hub.size).toBe(0)
  })
})
