import type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
import type { EventId } from '#shared/utils/event-id'
import { createBusEvent } from './bus'
import { compareEventIds, formatEventId, parseEventId } from '#shared/utils/event-id'
import type { HistoryLimits } from './history'
import { replayGap } from './history'

/** One event in the bus-wide queue; `event` is cleared when it leaves history (the queue is compacted later). */
interface Entry {
  event: BusEvent | undefined
}

/** One topic's history, oldest first. `trimmedUpTo`: the newest id dropped from it. */
interface TopicRing {
  entries: Entry[]
  trimmedUpTo: EventId
}

/**
 * The embedded bus: one process, nothing to run. History is kept per topic (so a busy topic can't
 * push a quiet one's events out), each bounded by `size` and `maxAgeMs`, and all of it by
 * `maxEvents`. Ids are one sequence across topics, so they stay ordered across topics.
 */
export function createMemoryBus(limits: HistoryLimits): EventBus {
  let epoch = Date.now()
  const maxEvents = limits.maxEvents ?? Infinity
  let seq = 0
  const rings = new Map<string, TopicRing>()
  // Every kept event in publish (= id = time) order, for age and total trimming across topics.
  let queue: Entry[] = []
  let queueHead = 0
  let total = 0
  // What emptied topics had trimmed, so a client of a quiet topic still learns it missed events;
  // at most maxEvents of them, older ones folded into `forgottenUpTo` (which then resets, to be safe).
  const tombstones = new Map<string, EventId>()
  let forgottenUpTo: EventId = [epoch, 0]
  const listeners: Array<(event: BusEvent) => void> = []

  const floorOf = (topic: string): EventId => rings.get(topic)?.trimmedUpTo ?? tombstones.get(topic) ?? forgottenUpTo

  function ringOf(topic: string): TopicRing {
    let ring = rings.get(topic)
    if (!ring) {
      ring = { entries: [], trimmedUpTo: floorOf(topic) }
      tombstones.delete(topic)
      rings.set(topic, ring)
    }
    return ring
  }

  /** Drops the oldest event of `ring` (`entry`, its head). */
  function dropHead(topic: string, ring: TopicRing) {
    const entry = ring.entries.shift()!
    ring.trimmedUpTo = entry.event!.order
    entry.event = undefined
    total--
    if (ring.entries.length > 0) return
    rings.delete(topic)
    tombstones.set(topic, ring.trimmedUpTo)
    if (tombstones.size > Math.min(maxEvents, 1_000_000)) {
      const [oldest, upTo] = tombstones.entries().next().value!
      tombstones.delete(oldest)
      if (compareEventIds(upTo, forgottenUpTo) > 0) forgottenUpTo = upTo
    }
  }

  /** Drops, across topics, what is too old or over the total cap; the queue's oldest first. */
  function sweep(now: number) {
    while (queueHead < queue.length) {
      const event = queue[queueHead]!.event
      if (event) {
        if (now - event.at <= limits.maxAgeMs && total <= maxEvents) break
        // The oldest event overall is the oldest of its topic too: it is its ring's head.
        dropHead(event.topic, rings.get(event.topic)!)
      }
      queueHead++
    }
    // Compact once dropped entries outnumber kept ones: the queue stays within twice what is kept.
    if (queueHead > 1024 && queueHead > queue.length / 2) {
      queue = queue.slice(queueHead)
      queueHead = 0
    }
    else if (queue.length - queueHead > 2 * total + 1024) {
      queue = queue.slice(queueHead).filter(entry => entry.event)
      queueHead = 0
    }
  }

  const newestId = (): EventId => [epoch, seq]

  /**
   * Where a reset tells a client of `topics` to resume from: the newest point of its own topics (their
   * newest event, or how far they were trimmed), never the bus's newest id, which would let anyone
   * watch other topics' (private ones') activity through a reset. Resuming there misses nothing of
   * its topics: every later event of them has a larger id.
   */
  function knownUpTo(topics: Iterable<string>): EventId {
    let upTo: EventId = [epoch, 0]
    for (const topic of topics) {
      const newest = rings.get(topic)?.entries.at(-1)?.event?.order
      for (const point of [newest, floorOf(topic)]) if (point && compareEventIds(point, upTo) > 0) upTo = point
    }
    return upTo
  }

  /** Keeps `event` in its topic's history and hands it to the hub. */
  function release(event: BusEvent) {
    const entry: Entry = { event }
    const ring = ringOf(event.topic)
    ring.entries.push(entry)
    queue.push(entry)
    total++
    if (ring.entries.length > limits.size) dropHead(event.topic, ring)
    sweep(event.at)
    for (const listener of listeners) listener(event)
  }

  // Events given an id but not released yet, in id order: one waiting for its commit holds back the
  // ones after it (any topic), so a stream sees ids in order and a Last-Event-ID never skips one.
  const held: Array<{ event: BusEvent, state: 'waiting' | 'ready' | 'dropped', done?: () => void }> = []
  function releaseReady() {
    while (held.length && held[0]!.state !== 'waiting') {
      const slot = held.shift()!
      if (slot.state === 'ready') release(slot.event)
      slot.done?.()
    }
  }

  return {
    async publish(input: PublishInput) {
      const event = createBusEvent([epoch, ++seq], input, Date.now())
      if (!held.length) {
        release(event)
        return event
      }
      await new Promise<void>((done) => {
        held.push({ event, state: 'ready', done })
        releaseReady()
      })
      return event
    },

    async publishCommitted(input, commit) {
      const event = createBusEvent([epoch, ++seq], input, Date.now())
      const slot: (typeof held)[number] = { event, state: 'waiting' }
      held.push(slot)
      try {
        await commit(event)
      }
      catch (error) {
        slot.state = 'dropped'
        releaseReady()
        throw error
      }
      await new Promise<void>((done) => {
        slot.state = 'ready'
        slot.done = done
        releaseReady()
      })
      return event
    },

    advancePast(id) {
      // A new epoch above the stored id; `seq` keeps counting (it is the published count too).
      if (compareEventIds(newestId(), id) < 0) epoch = id[0] + 1
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      sweep(Date.now())
      const seen = parseEventId(lastEventId)
      const newest = newestId()
      const kept = [...topics].map(topic => rings.get(topic)?.entries ?? [])
      const oldestId = kept.map(entries => entries[0]?.event).filter((event): event is BusEvent => !!event).sort((a, b) => compareEventIds(a.order, b.order))[0]?.id
      // The reset rule, topic by topic: one topic that lost events after `seen` resets the stream.
      for (const topic of topics) {
        const gap = replayGap(seen, newest, floorOf(topic))
        if (gap) return { reset: { reason: gap, oldestId }, newestId: formatEventId(knownUpTo(topics)) }
      }
      if (!seen) return { reset: { reason: 'unknown-id', oldestId }, newestId: formatEventId(knownUpTo(topics)) }
      const events = kept.flatMap(entries => entries.slice(firstAfter(entries, seen)).map(entry => entry.event!))
      if (kept.length > 1) events.sort((a, b) => compareEventIds(a.order, b.order))
      return { events }
    },

    async recent(topic, limit): Promise<RecentResult> {
      sweep(Date.now())
      const entries = rings.get(topic)?.entries ?? []
      // Before the first publish, `<epoch>-0` (every id of this process comes after it): a cursor
      // that means "from now" and names no topic's event, so a page always has a position to resume from.
      return { events: entries.slice(-limit).map(entry => entry.event!), newestId: formatEventId(newestId()) }
    },

    onEvent(listener) {
      listeners.push(listener)
    },

    ready: Promise.resolve(),

    // Every publish takes the next sequence number.
    get publishedCount() {
      return seq
    },

    async historyInfo() {
      sweep(Date.now())
      let newest: BusEvent | undefined
      for (let i = queue.length - 1; i >= queueHead && !newest; i--) newest = queue[i]!.event
      return { size: total, oldestId: queue[queueHead]?.event?.id, newestId: newest?.id }
    },

    health: () => ({ kind: 'memory', connected: true }),

    async close() {
      listeners.length = 0
    },
  }
}

/** Index of the first entry with an id after `seen` (binary search: a topic's history is ordered). */
function firstAfter(entries: readonly Entry[], seen: EventId): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (compareEventIds(entries[mid]!.event!.order, seen) <= 0) low = mid + 1
    else high = mid
  }
  return low
}
