import type { BusEvent } from './bus'
import type { EventId } from '#shared/utils/event-id'
import { compareEventIds } from '#shared/utils/event-id'

/**
 * What one held event is counted as against the byte budget: its frame, the event object and its
 * parsed `data` (about the frame's size again), estimated, so the bound follows what the heap holds.
 */
export function tailCost(event: BusEvent): number {
  return event.frame.byteLength * 2 + 128
}

interface TopicTail {
  topic: string
  /** Oldest first, in id order; `events[head]` is the oldest still held. */
  events: BusEvent[]
  head: number
  /**
   * The completeness rule: every event of the topic with an id after this one, up to the frontier,
   * is in `events`. It only moves forward when events are let go, back when Redis fills in before.
   */
  completeAfter: EventId
}

interface Queued {
  tail: TopicTail
  event: BusEvent
}

/**
 * The newest events of each topic an instance carries, in memory, so a client resuming here with
 * Last-Event-ID is answered without asking Redis for its gap (a reconnect storm after a deploy asks
 * the same gap thousands of times at once).
 *
 * It is filled only with what the bus released, in release order (id order across every topic: the
 * ordered release), from the moment the topic was joined: an event released after that has an id at
 * or past the frontier of that moment, and every event from the frontier on is released (the join
 * read them back from the stream). So a topic's tail starts complete after `<frontier - 1>-<max>`,
 * and a cursor before that is not provably covered: it goes to Redis (whose answer may then fill the
 * tail in before, `backfill`). Letting an event go (the byte budget, the per-topic history size)
 * moves that point up to it; a topic no longer held loses its tail, since its events stop coming.
 *
 * Bounded in bytes across all topics: past `maxBytes`, the events recorded first go first (and, for
 * a tail to stay one unbroken run, whatever of their topic is older).
 */
export class ResumeTail {
  private readonly topics = new Map<string, TopicTail>()
  private queue: Queued[] = []
  private queueHead = 0
  private heldEvents = 0
  private heldBytes = 0

  constructor(private readonly maxBytes: number, private readonly maxPerTopic: number) {}

  get bytes(): number {
    return this.heldBytes
  }

  get size(): number {
    return this.heldEvents
  }

  /** Begins recording `topic`: complete, from now on, for every cursor at or after `completeAfter`. */
  start(topic: string, completeAfter: EventId): void {
    if (this.maxBytes <= 0 || this.maxPerTopic <= 0 || this.topics.has(topic)) return
    this.topics.set(topic, { topic, events: [], head: 0, completeAfter })
  }

  /** The topic is no longer carried here: its later events will not come, so its tail is no proof. */
  drop(topic: string): void {
    const tail = this.topics.get(topic)
    if (!tail) return
    this.topics.delete(topic)
    this.letGoUpTo(tail, tail.events.length)
    this.compactQueue()
  }

  /** A released event, in release order. Topics not started are not recorded. */
  record(event: BusEvent): void {
    const tail = this.topics.get(event.topic)
    if (!tail) return
    const newest = tail.events.length > tail.head ? tail.events.at(-1)!.order : tail.completeAfter
    // The release never hands out an id twice or out of order; a tail that was backfilled past it
    // already has it.
    if (compareEventIds(event.order, newest) <= 0) return
    tail.events.push(event)
    this.queue.push({ tail, event })
    this.heldEvents++
    this.heldBytes += tailCost(event)
    if (tail.events.length - tail.head > this.maxPerTopic) this.letGoUpTo(tail, tail.head + 1)
    this.enforceBudget()
  }

  /**
   * The events of `topic` after `cursor` with a millisecond below `beforeMs`, oldest first; undefined
   * when the tail cannot prove it has them all (the topic is not held, or `cursor` is before what it
   * covers).
   */
  after(topic: string, cursor: EventId, beforeMs: number): BusEvent[] | undefined {
    const tail = this.topics.get(topic)
    if (!tail || compareEventIds(cursor, tail.completeAfter) < 0) return undefined
    const { events } = tail
    let from = firstAfter(events, tail.head, cursor)
    const result: BusEvent[] = []
    for (; from < events.length && events[from]!.order[0] < beforeMs; from++) result.push(events[from]!)
    return result
  }

  /**
   * Redis' answer for `topic`: every event in `(cursor, upTo]`, in id order (a read that found
   * nothing trimmed after `cursor`). When it reaches the tail's start, the tail takes the part before
   * it and is complete from `cursor` on; else (the tail started after `upTo`, or not at all) nothing.
   */
  backfill(topic: string, cursor: EventId, upTo: EventId, events: readonly BusEvent[]): void {
    const tail = this.topics.get(topic)
    if (!tail || compareEventIds(cursor, tail.completeAfter) >= 0 || compareEventIds(upTo, tail.completeAfter) < 0) return
    const before = events.filter(event => compareEventIds(event.order, cursor) > 0 && compareEventIds(event.order, tail.completeAfter) <= 0)
    if (before.length + tail.events.length - tail.head > this.maxPerTopic) return
    tail.events = [...before, ...tail.events.slice(tail.head)]
    tail.head = 0
    tail.completeAfter = cursor
    for (const event of before) {
      this.queue.push({ tail, event })
      this.heldEvents++
      this.heldBytes += tailCost(event)
    }
    this.enforceBudget()
  }

  private enforceBudget() {
    while (this.heldBytes > this.maxBytes && this.queueHead < this.queue.length) {
      const { tail, event } = this.queue[this.queueHead++]!
      if (!this.holds(tail, event)) continue
      this.letGoUpTo(tail, firstAfter(tail.events, tail.head, event.order))
    }
    this.compactQueue()
  }

  /** Lets go of the events of `tail` before index `end`; the tail is then complete after the last of them. */
  private letGoUpTo(tail: TopicTail, end: number) {
    if (end <= tail.head) return
    for (let i = tail.head; i < end; i++) {
      this.heldEvents--
      this.heldBytes -= tailCost(tail.events[i]!)
    }
    tail.completeAfter = tail.events[end - 1]!.order
    tail.head = end
    if (tail.head === tail.events.length) {
      tail.events = []
      tail.head = 0
    }
    else if (tail.head > 1024 && tail.head * 2 > tail.events.length) {
      tail.events = tail.events.slice(tail.head)
      tail.head = 0
    }
  }

  private holds(tail: TopicTail, event: BusEvent): boolean {
    return this.topics.get(tail.topic) === tail && compareEventIds(event.order, tail.completeAfter) > 0
  }

  /** Entries of events already let go stay queued until popped; past twice what is held they are swept. */
  private compactQueue() {
    const queued = this.queue.length - this.queueHead
    if (queued <= 2 * this.heldEvents + 1024) return
    this.queue = this.queue.slice(this.queueHead).filter(({ tail, event }) => this.holds(tail, event))
    this.queueHead = 0
  }
}

/** The index of the first event after `cursor` in `events[head..]` (sorted by id). */
function firstAfter(events: readonly BusEvent[], head: number, cursor: EventId): number {
  let low = head
  let high = events.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareEventIds(events[middle]!.order, cursor) <= 0) low = middle + 1
    else high = middle
  }
  return low
}
