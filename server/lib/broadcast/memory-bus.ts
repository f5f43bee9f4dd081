import type { BusEvent, EventBus, PublishInput, ReplayResult } from './bus'
import type { EventId } from './event-id'
import { createBusEvent } from './bus'
import { compareEventIds, formatEventId, parseEventId } from './event-id'
import type { HistoryLimits } from './history'
import { replayGap } from './history'

/** The embedded bus: one process, nothing to run. History is a bounded, time-limited ring. */
export function createMemoryBus(limits: HistoryLimits): EventBus {
  const epoch = Date.now()
  let seq = 0
  // Ordered by id. `trimmedUpTo` is the newest id dropped from it: a client that saw less has lost events.
  const history: BusEvent[] = []
  let trimmedUpTo: EventId = [epoch, 0]
  const listeners: Array<(event: BusEvent) => void> = []

  function trim(now: number) {
    let drop = Math.max(0, history.length - limits.size)
    while (drop < history.length && now - history[drop]!.at > limits.maxAgeMs) drop++
    if (drop === 0) return
    trimmedUpTo = history[drop - 1]!.order
    history.splice(0, drop)
  }

  return {
    async publish(input: PublishInput) {
      const at = Date.now()
      const event = createBusEvent([epoch, ++seq], input, at)
      history.push(event)
      trim(at)
      for (const listener of listeners) listener(event)
      return event
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      trim(Date.now())
      const seen = parseEventId(lastEventId)
      const newest: EventId = [epoch, seq]
      const gap = replayGap(seen, newest, trimmedUpTo)
      if (gap) return { reset: { reason: gap, oldestId: history[0]?.id }, newestId: formatEventId(newest) }
      const start = firstAfter(history, seen!)
      return { events: history.slice(start).filter(event => topics.has(event.topic)) }
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
      return { size: history.length, oldestId: history[0]?.id, newestId: history.at(-1)?.id }
    },

    health: () => ({ kind: 'memory', connected: true }),

    async close() {
      listeners.length = 0
    },
  }
}

/** Index of the first event with an id after `seen` (binary search: history is ordered). */
function firstAfter(history: readonly BusEvent[], seen: EventId): number {
  let low = 0
  let high = history.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (compareEventIds(history[mid]!.order, seen) <= 0) low = mid + 1
    else high = mid
  }
  return low
}
