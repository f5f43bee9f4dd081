import { describe, expect, it, vi } from 'vitest'
import type { BusEvent } from '../../server/lib/broadcast/bus'
import { compareEventIds } from '../../shared/utils/event-id'
import { createMemoryBus } from '../../server/lib/broadcast/memory-bus'

const publish = (bus: ReturnType<typeof createMemoryBus>, topic: string, data: unknown = topic) =>
  bus.publish({ topic, event: 'message', data })
const ids = (result: Awaited<ReturnType<ReturnType<typeof createMemoryBus>['replay']>>) =>
  'events' in result ? result.events.map(event => event.id) : result

describe('memory bus', () => {
  it('gives increasing ids and delivers each event to its listeners with the frame serialised once', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const seen: BusEvent[] = []
    bus.onEvent(event => seen.push(event))
    const a = await publish(bus, 'a', { text: 'line1\nline2' })
    const b = await publish(bus, 'b')
    expect(compareEventIds(a.order, b.order)).toBeLessThan(0)
    expect(seen).toEqual([a, b])
    const frame = new TextDecoder().decode(a.frame)
    expect(frame).toMatch(new RegExp(`^id: ${a.id}\nevent: message\ndata: \\{"topic":"a","data":\\{"text":"line1\\\\nline2"\\},"at":"[^"]+"\\}\n\n$`))
    expect(bus.publishedCount).toBe(2)
  })

  it('replays exactly the events of the asked topics after the given id, in order', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const first = await publish(bus, 'a')
    const events = [await publish(bus, 'b'), await publish(bus, 'a'), await publish(bus, 'c'), await publish(bus, 'a')]
    expect(ids(await bus.replay(new Set(['a']), first.id))).toEqual([events[1]!.id, events[3]!.id])
    expect(ids(await bus.replay(new Set(['a', 'c']), events[1]!.id))).toEqual([events[2]!.id, events[3]!.id])
    expect(ids(await bus.replay(new Set(['a']), events[3]!.id))).toEqual([])
  })

  it('tells the client to reset when events it missed were trimmed from history', async () => {
    const bus = createMemoryBus({ size: 3, maxAgeMs: 60_000 })
    const first = await publish(bus, 'a')
    for (let i = 0; i < 4; i++) await publish(bus, 'a')
    const result = await bus.replay(new Set(['a']), first.id)
    expect(result).toMatchObject({ reset: { reason: 'history-expired' } })
    expect((await bus.historyInfo()).size).toBe(3)
  })

  it('trims by age too', async () => {
    vi.useFakeTimers()
    try {
      const bus = createMemoryBus({ size: 100, maxAgeMs: 1000 })
      const old = await publish(bus, 'a')
      await publish(bus, 'a')
      vi.advanceTimersByTime(1500)
      expect(await bus.replay(new Set(['a']), old.id)).toMatchObject({ reset: { reason: 'history-expired' } })
      expect((await bus.historyInfo()).size).toBe(0)
    }
    finally {
      vi.useRealTimers()
    }
  })

  it('resets ids from the future, from another boot, or of another shape', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const event = await publish(bus, 'a')
    const [ms, seq] = event.order
    expect(await bus.replay(new Set(['a']), `${ms}-${seq + 5}`)).toMatchObject({ reset: { reason: 'unknown-id' } })
    expect(await bus.replay(new Set(['a']), `${ms - 1}-900`)).toMatchObject({ reset: { reason: 'history-expired' } })
    const garbage = await bus.replay(new Set(['a']), 'x'.repeat(5000))
    expect(garbage).toMatchObject({ reset: { reason: 'unknown-id' }, newestId: event.id })
  })
})

describe('memory bus: history per topic', () => {
  it('keeps a quiet topic replayable whatever a busy one carries, ids ordered across topics', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000 })
    const before = await publish(bus, 'other')
    const mine = await publish(bus, 'user:alice', 'hello')
    for (let i = 0; i < 2000; i++) await publish(bus, 'broadcast', i)
    const result = await bus.replay(new Set(['user:alice']), before.id)
    expect(ids(result)).toEqual([mine.id])
    // The busy topic lost events after `before`: asking for it as well resets, topic by topic.
    expect(await bus.replay(new Set(['user:alice', 'broadcast']), before.id)).toMatchObject({ reset: { reason: 'history-expired' } })
    expect((await bus.historyInfo()).size).toBe(12)
    const both = await bus.replay(new Set(['user:alice', 'other']), `${before.order[0]}-0`)
    expect(ids(both)).toEqual([before.id, mine.id])
  })

  it('bounds the total across topics: past maxEvents the oldest events of any topic go first', async () => {
    const bus = createMemoryBus({ size: 10, maxAgeMs: 60_000, maxEvents: 25 })
    const first = await publish(bus, 't0')
    for (let i = 1; i < 40; i++) await publish(bus, `t${i % 4}`, i)
    expect((await bus.historyInfo()).size).toBe(25)
    expect(await bus.replay(new Set(['t0']), first.id)).toMatchObject({ reset: { reason: 'history-expired' } })
    const newest = await publish(bus, 't3', 'last')
    expect(ids(await bus.replay(new Set(['t3']), (await bus.recent('t3', 2)).events[0]!.id))).toEqual([newest.id])
  })

  it('remembers what an emptied topic lost, so its clients still get a reset', async () => {
    vi.useFakeTimers()
    try {
      const bus = createMemoryBus({ size: 100, maxAgeMs: 1000 })
      const seen = await publish(bus, 'quiet')
      await publish(bus, 'quiet')
      vi.advanceTimersByTime(1500)
      await publish(bus, 'busy')
      expect(await bus.replay(new Set(['quiet']), seen.id)).toMatchObject({ reset: { reason: 'history-expired' } })
      // A topic that never lost anything replays from any id of this boot.
      expect(ids(await bus.replay(new Set(['never']), seen.id))).toEqual([])
    }
    finally {
      vi.useRealTimers()
    }
  })

  it('gives the newest events of one topic and the bus\'s newest id', async () => {
    const bus = createMemoryBus({ size: 5, maxAgeMs: 60_000 })
    // Before any publish: a "from now" position that a replay accepts, and that names no event.
    const empty = await bus.recent('a', 3)
    expect(empty.events).toEqual([])
    expect(empty.newestId).toMatch(/^\d+-0$/)
    const first = await publish(bus, 'a', -1)
    expect(ids(await bus.replay(new Set(['a']), empty.newestId!))).toEqual([first.id])
    const events = []
    for (let i = 0; i < 7; i++) events.push(await publish(bus, 'a', i))
    const last = await publish(bus, 'b')
    const recent = await bus.recent('a', 3)
    expect(recent.events.map(event => event.data)).toEqual([4, 5, 6])
    expect(recent.newestId).toBe(last.id)
  })
})
