import type { IdempotencyRecord, IdempotencyRequest } from '#shared/types/idempotency'
import type { BroadcastPayload, BusStatus, NotifyStats, PublishInput, ResetPayload } from '#shared/types/notify'
import type { EventId } from '#shared/utils/event-id'
import { formatEventId } from '#shared/utils/event-id'
import { encodeFrame } from '#server/lib/sse'

/** One published event, with its SSE frame serialised once for every subscriber. */
export interface BusEvent {
  id: string
  /** Parsed `id`, for ordering. */
  order: EventId
  topic: string
  event: string
  /** What the publisher sent (for reads that are not a stream: the inbox). */
  data: unknown
  /** `id:`, `event:` and `data:` lines, ready to write to any subscriber of `topic`. */
  frame: Uint8Array
  at: number
}

export type { PublishInput }

/** `newestId` lets a reset client move its Last-Event-ID forward, so it is not reset again. */
/**
 * `upTo` (routed bus): the replay holds every event of the topics up to this id; live events up to it
 * are skipped. Without it, the last replayed event (or the client's id) is that point.
 */
export type ReplayResult = { events: BusEvent[], upTo?: string } | { reset: ResetPayload, newestId: string }

/** The newest events of one topic, oldest first, and the newest id of the whole bus (a stream's resume point). */
export interface RecentResult {
  events: BusEvent[]
  newestId: string | undefined
}

/**
 * Where published events go and are remembered for replay. The in-memory bus is the default;
 * another implementation (Redis) only has to deliver every event to `onEvent` on every instance.
 */
/** Who published (a stored topic keeps it beside the event): a session user's name, a token's subject. */
export interface PublishOptions {
  sender?: string | null
  /** A stored topic's Idempotency-Key: taken in the same transaction as the event (server/lib/store). */
  idempotency?: IdempotencyRequest
  /**
   * `false`: not stored even on a stored topic (the inbox's `inbox` change events: live news for
   * the person's other tabs, not a notification of their own).
   */
  stored?: false
}

/**
 * Thrown instead of publishing when the publish's Idempotency-Key was already used: `record` is
 * what for (undefined if it has expired meanwhile).
 */
export class DuplicatePublish extends Error {
  override name = 'DuplicatePublish'
  constructor(readonly record: IdempotencyRecord | undefined) {
    super('this Idempotency-Key was already used')
  }
}

export interface EventBus {
  publish(input: PublishInput, options?: PublishOptions): Promise<BusEvent>
  /**
   * A bus that can hold an event back (the memory bus): gives it its id, awaits `commit(event)` (the
   * store's), and only then keeps and delivers it, in id order with every other event; when
   * `commit` throws, the event is delivered to no one and this rejects. Buses without it deliver
   * first (the stored-topics bus then commits after the bus took the event).
   */
  publishCommitted?(input: PublishInput, commit: (event: BusEvent) => Promise<void>): Promise<BusEvent>
  /** True for a topic whose publishes go through the store (the stored-topics bus). */
  isStored?(topic: string): boolean
  /** Ids from now on come after `id` (the newest stored one, after a restart), where the bus makes its own ids. */
  advancePast?(id: EventId): void
  /** The events of `topics` after `lastEventId`, in order, or a reset when they can't all be given. */
  replay(topics: ReadonlySet<string>, lastEventId: string): Promise<ReplayResult>
  /** At most `limit` of the newest events of `topic` still in its history. */
  recent(topic: string, limit: number): Promise<RecentResult>
  onEvent(listener: (event: BusEvent) => void): void
  /**
   * A bus that routes by topic (the routed Redis bus) takes only the events of topics someone here
   * listens to: settles once every event of `topics` published from now on will reach `onEvent`, and
   * `replay` of them may be asked. One `unlisten` per `listen`. Buses without it deliver every topic.
   */
  listen?(topics: ReadonlySet<string>): Promise<void>
  unlisten?(topics: ReadonlySet<string>): void
  /** Settles once every event published from now on will reach `onEvent` (Redis: the reading loop has its place). */
  readonly ready: Promise<void>
  /** Events this instance accepted for publishing. */
  readonly publishedCount: number
  historyInfo(): Promise<NonNullable<NotifyStats['history']>>
  health(): BusStatus
  close(): Promise<void>
}

export function createBusEvent(order: EventId, input: PublishInput, at: number): BusEvent {
  const id = formatEventId(order)
  const payload: BroadcastPayload = { topic: input.topic, data: input.data, at: new Date(at).toISOString() }
  const frame = encodeFrame({ id, event: input.event, data: JSON.stringify(payload) })
  return { id, order, topic: input.topic, event: input.event, data: input.data, frame, at }
}
