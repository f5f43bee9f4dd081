import type { ResetPayload } from '#shared/types/notify'
import { STREAM_EVENTS } from '../../../composables/useEventStream/stream-events'
import { countFramesDelivered, countReplay, countSlowConsumer } from '#server/lib/metrics'
import { HEARTBEAT_BYTES, encodeFrame, type SseSink } from '#server/lib/sse'
import type { BusEvent, EventBus, ReplayResult } from './bus'
import type { EventId } from '#shared/utils/event-id'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'

interface Subscriber {
  topics: ReadonlySet<string>
  sink: SseSink
  /** What each beat writes: the comment, or the named heartbeat event the client asked for. */
  heartbeat: Uint8Array
  /** Live events that arrive while history is being replayed; flushed, without repeats, right after. */
  pending?: BusEvent[]
  pendingBytes: number
  /**
   * The newest id written by the replay. A bus may still deliver events up to it live (Redis: the
   * reading loop can lag behind the replay's read); those are skipped, so nothing arrives twice.
   */
  skipUpTo?: EventId
}

const REPLAY_RETRY_MS = 1000
const DONE = Promise.resolve()

/**
 * Fans every bus event out to the local subscribers of its topic. The frame was serialised once by
 * the bus; here the same bytes are written to each subscriber, synchronously, with no await per
 * subscriber, and one timer sends heartbeats to all of them.
 */
export class BroadcastHub<Bus extends EventBus = EventBus> {
  readonly startedAt = Date.now()
  private readonly byTopic = new Map<string, Set<Subscriber>>()
  private readonly subscribers = new Set<Subscriber>()
  private readonly heartbeat: ReturnType<typeof setInterval>
  /** `bus.ready` has settled: known without awaiting it. */
  private busReady = false
  /** Told a subscriber's topics when it joins or leaves (presence across instances); none by default. */
  private readonly changeListeners: Array<(topics: ReadonlySet<string>) => void> = []

  constructor(readonly bus: Bus, heartbeatMs: number, private readonly maxQueuedBytes = Infinity) {
    bus.onEvent(event => this.dispatch(event))
    bus.ready.then(() => (this.busReady = true), () => {})
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs)
    // Never keep a process alive (or a test runner) just for heartbeats.
    if (typeof this.heartbeat === 'object' && 'unref' in this.heartbeat) this.heartbeat.unref()
  }

  /**
   * Adds a subscriber. With `lastEventId` it first gets, in order, exactly the events of its topics
   * it missed (or a `reset` event when history no longer has them all), then live events.
   */
  subscribe(topics: ReadonlySet<string>, sink: SseSink, lastEventId?: string, heartbeat: Uint8Array = HEARTBEAT_BYTES): Promise<void> {
    // Registered at once (heartbeats flow), but live events wait in `pending` until the bus is ready
    // and any replay is written, so they come after it, in order.
    const subscriber: Subscriber = { topics, sink, heartbeat, pending: [], pendingBytes: 0 }
    this.add(subscriber)
    // Before onClose, which may run at once: every listen gets its unlisten.
    const listening = this.bus.listen?.(topics)
    sink.onClose(() => this.remove(subscriber))
    // Most connects: a ready bus that carries every topic already, nothing to replay. Live at once,
    // without the wait below (an async step per connect; bench/README.md, "Numbers behind the code").
    if (!listening && this.busReady && !lastEventId) {
      subscriber.pending = undefined
      return DONE
    }
    return this.catchUp(subscriber, listening ?? this.bus.ready, lastEventId)
  }

  /** The rest of a subscribe: the bus ready for its topics, the replay, then the live events that waited. */
  private async catchUp(subscriber: Subscriber, listening: Promise<void>, lastEventId: string | undefined): Promise<void> {
    const { topics, sink } = subscriber
    await listening

    if (lastEventId) {
      const replay = await this.replayWhenAvailable(topics, lastEventId, sink)
      if (!replay) return
      countReplay('reset' in replay ? 'reset' : 'replayed')
      if ('reset' in replay) {
        sink.write(resetFrame(replay.reset, replay.newestId))
        subscriber.skipUpTo = parseEventId(replay.newestId)
      }
      else {
        // At the reader's pace: a long replay must not trip the slow-consumer cap by itself.
        for (const event of replay.events) {
          if (!sink.write(event.frame)) return
          await sink.whenWritable()
        }
        subscriber.skipUpTo = parseEventId(replay.upTo ?? '') ?? replay.events.at(-1)?.order ?? parseEventId(lastEventId)
      }
    }
    const pending = subscriber.pending ?? []
    subscriber.pending = undefined
    subscriber.pendingBytes = 0
    for (const event of pending) this.deliver(subscriber, event)
  }

  /** Writes one event to every local subscriber of its topic; returns how many took it now (the tests' measure). */
  dispatch(event: BusEvent): number {
    const subscribers = this.byTopic.get(event.topic)
    if (!subscribers) return 0
    let delivered = 0
    for (const subscriber of subscribers) {
      if (this.deliver(subscriber, event)) delivered++
    }
    countFramesDelivered(delivered)
    return delivered
  }

  subscriberCount(topic: string): number {
    return this.byTopic.get(topic)?.size ?? 0
  }

  subscribersByTopic(): Record<string, number> {
    return Object.fromEntries([...this.byTopic].map(([topic, set]) => [topic, set.size]))
  }

  /** `listener` gets a subscriber's topics each time one joins or leaves (their counts have changed). */
  onSubscribersChanged(listener: (topics: ReadonlySet<string>) => void): void {
    this.changeListeners.push(listener)
  }

  get uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000)
  }

  get size(): number {
    return this.subscribers.size
  }

  /** Ends every stream (clients reconnect elsewhere with their Last-Event-ID) and stops the heartbeat. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    for (const subscriber of [...this.subscribers]) subscriber.sink.end()
    await this.bus.close()
  }

  private deliver(subscriber: Subscriber, event: BusEvent): boolean {
    if (subscriber.pending) {
      subscriber.pending.push(event)
      subscriber.pendingBytes += event.frame.byteLength
      // Live events pile up behind a replay the client reads too slowly: cut it off, it will resume.
      if (subscriber.pendingBytes > this.maxQueuedBytes) {
        countSlowConsumer()
        subscriber.sink.end()
      }
      return true
    }
    if (subscriber.skipUpTo) {
      if (compareEventIds(event.order, subscriber.skipUpTo) <= 0) return false
      subscriber.skipUpTo = undefined
    }
    return subscriber.sink.write(event.frame)
  }

  /**
   * While the bus is unreachable (Redis restarting) the subscriber stays connected, on heartbeats,
   * and its replay is retried until it succeeds or the client leaves.
   */
  private async replayWhenAvailable(topics: ReadonlySet<string>, lastEventId: string, sink: SseSink): Promise<ReplayResult | undefined> {
    while (!sink.closed) {
      try {
        return await this.bus.replay(topics, lastEventId)
      }
      catch {
        await new Promise(resolve => setTimeout(resolve, REPLAY_RETRY_MS))
      }
    }
  }

  private beat() {
    for (const subscriber of this.subscribers) subscriber.sink.write(subscriber.heartbeat)
  }

  private add(subscriber: Subscriber) {
    this.subscribers.add(subscriber)
    for (const topic of subscriber.topics) {
      let set = this.byTopic.get(topic)
      if (!set) this.byTopic.set(topic, set = new Set())
      set.add(subscriber)
    }
    for (const listener of this.changeListeners) listener(subscriber.topics)
  }

  private remove(subscriber: Subscriber) {
    if (!this.subscribers.delete(subscriber)) return
    this.bus.unlisten?.(subscriber.topics)
    for (const topic of subscriber.topics) {
      const set = this.byTopic.get(topic)
      set?.delete(subscriber)
      if (set?.size === 0) this.byTopic.delete(topic)
    }
    for (const listener of this.changeListeners) listener(subscriber.topics)
  }
}

function resetFrame(reset: ResetPayload, newestId: string): Uint8Array {
  return encodeFrame({ id: newestId, event: STREAM_EVENTS.reset, data: JSON.stringify(reset) })
}
