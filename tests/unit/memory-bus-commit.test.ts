import { describe, expect, it } from 'vitest'
import type { BusEvent } from '../../server/lib/broadcast/bus'
import { createMemoryBus } from '../../server/lib/broadcast/memory-bus'
import { compareEventIds } from '../../shared/utils/event-id'

/** A promise and its settle functions: the test decides when a commit ends. */
function deferred() {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const flush = () => new Promise(resolve => setImmediate(resolve))

describe('memory bus: events held for their commit (stored topics)', () => {
  it('delivers and keeps nothing before the commit, then everything in id order', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const seen: string[] = []
    bus.onEvent(event => seen.push(event.topic))
    const commit = deferred()
    const stored = bus.publishCommitted!({ topic: 'user:a', event: 'message', data: 1 }, () => commit.promise)
    // A later event of another topic waits behind the one being committed: ids reach streams in order.
    const later = bus.publish({ topic: 'news', event: 'message', data: 2 })
    await flush()
    expect(seen).toEqual([])
    expect((await bus.recent('user:a', 10)).events).toEqual([])
    commit.resolve()
    const [a, b] = await Promise.all([stored, later])
    expect(seen).toEqual(['user:a', 'news'])
    expect(compareEventIds(a.order, b.order)).toBeLessThan(0)
  })

  it('delivers to no one an event whose commit failed, and lets the ones behind it go', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const seen: BusEvent[] = []
    bus.onEvent(event => seen.push(event))
    const commit = deferred()
    const stored = bus.publishCommitted!({ topic: 'user:a', event: 'message', data: 1 }, () => commit.promise)
    const later = bus.publish({ topic: 'news', event: 'message', data: 2 })
    commit.reject(new Error('database down'))
    await expect(stored).rejects.toThrow('database down')
    expect((await later).topic).toBe('news')
    expect(seen.map(event => event.topic)).toEqual(['news'])
    expect((await bus.recent('user:a', 10)).events).toEqual([])
  })

  it('makes ids above a stored one after a restart (advancePast)', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const ahead = [Date.now() + 60_000, 7] as const
    bus.advancePast!(ahead)
    const event = await bus.publish({ topic: 'a', event: 'message', data: 1 })
    expect(compareEventIds(event.order, ahead)).toBeGreaterThan(0)
  })
})
