import type { IdempotencyRequest } from '#shared/types/idempotency'
import { refusal } from '#server/lib/http'
import type { EventId } from '#shared/utils/event-id'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import type { BusEvent, EventBus, PublishInput, PublishOptions, RecentResult, ReplayResult } from './bus'
import { DuplicatePublish } from './bus'

/** Where stored topics' events are committed and read back (server/lib/store's notifications). */
export interface StoredEventLog {
  /**
   * Resolves once `event` is committed (durable); with `idempotency`, its key is taken in the same
   * transaction, or nothing is written (`duplicate`).
   */
  append(event: BusEvent, sender: string | null, idempotency?: IdempotencyRequest): Promise<'stored' | 'duplicate'>
  /** What an Idempotency-Key was used for, within its lifetime. */
  idempotencyRecord(scope: string, key: string): Promise<DuplicatePublish['record']>
  /** Events of `topics` after `after`, oldest first, at most `limit`. */
  after(topics: readonly string[], after: EventId, limit: number): Promise<BusEvent[]>
  /** The newest `limit` events of `topic`, oldest first. */
  newest(topic: string, limit: number): Promise<BusEvent[]>
  newestId(): Promise<EventId | undefined>
}

export interface StoredTopicsOptions {
  isStored: (topic: string) => boolean
  /** The log, once the store is open; throws while it isn't. */
  open: () => Promise<StoredEventLog>
  /** True while the store's last statement failed: then publishes fail fast, one probe at a time. */
  isDown: () => boolean
  retentionMs: number
}

/** Rows per read of a replay, and the most one replay gives (past it: a reset, as before). */
const REPLAY_PAGE = 1000
const REPLAY_MAX = 100_000
/** While the store is down, one stored publish per this interval tries it; the rest get 503 at once. */
const PROBE_MS = 1000

/** The 503 of a stored topic's publish the store could not commit: delivered to no one. */
export function storeUnavailable(): Error {
  return refusal('store.unavailable', 'The store (database) is unavailable; the event was not published. Retry shortly.')
}

/**
 * Stored topics (NUXT_NOTIFY_STORED_TOPICS) on any bus: a publish to one is committed to the store
 * before it is acknowledged, and on a bus that can hold events back (the memory bus) before anyone
 * receives it; a client whose Last-Event-ID is older than the live history gets what it missed from
 * the store, in order, then live events. Other topics pass straight through, untouched by the store.
 */
export function withStoredTopics(bus: EventBus, options: StoredTopicsOptions): EventBus {
  let log: StoredEventLog | undefined
  let lastProbe = 0

  /** The log, with the bus's ids moved past the newest stored one the first time (ids ordered across restarts). */
  async function openLog(): Promise<StoredEventLog> {
    if (log) return log
    const opened = await options.open()
    const newest = await opened.newestId()
    if (newest) bus.advancePast?.(newest)
    return (log = opened)
  }

  // At once, not on the first stored publish: a non-stored topic's ids rise above the stored ones too.
  openLog().catch(() => {})

  async function publishStored(input: PublishInput, sender: string | null, claim: IdempotencyRequest | undefined): Promise<BusEvent> {
    if (options.isDown() || !log) {
      const now = Date.now()
      if (log && now - lastProbe < PROBE_MS) throw storeUnavailable()
      lastProbe = now
    }
    let opened: StoredEventLog
    try {
      opened = await openLog()
    }
    catch {
      throw storeUnavailable()
    }
    const recordOf = async (key: IdempotencyRequest) => {
      try {
        return await opened.idempotencyRecord(key.scope, key.key)
      }
      catch {
        throw storeUnavailable()
      }
    }
    // A retry after the first publish went through: answered from the store, nothing published.
    if (claim) {
      const record = await recordOf(claim)
      if (record) throw new DuplicatePublish(record)
    }
    const commit = async (event: BusEvent) => {
      let result: 'stored' | 'duplicate'
      try {
        result = await opened.append(event, sender, claim)
      }
      catch {
        throw storeUnavailable()
      }
      // Two publishes with one key at once: the other took it; this event is delivered to no one.
      if (result === 'duplicate') throw new DuplicatePublish(undefined)
    }
    try {
      if (bus.publishCommitted) return await bus.publishCommitted(input, commit)
      const event = await bus.publish(input)
      await commit(event)
      return event
    }
    catch (error) {
      if (error instanceof DuplicatePublish && !error.record && claim) throw new DuplicatePublish(await recordOf(claim))
      throw error
    }
  }

  async function replayStored(topics: readonly string[], seen: EventId): Promise<ReplayResult | undefined> {
    const opened = await openLog()
    const events: BusEvent[] = []
    let cursor = seen
    for (;;) {
      const page = await opened.after(topics, cursor, REPLAY_PAGE)
      events.push(...page)
      if (page.length < REPLAY_PAGE) return { events }
      if (events.length >= REPLAY_MAX) return undefined
      cursor = page.at(-1)!.order
    }
  }

  return {
    ...bus,
    publish(input, publishOptions?: PublishOptions) {
      if (!options.isStored(input.topic) || publishOptions?.stored === false) return bus.publish(input, publishOptions)
      return publishStored(input, publishOptions?.sender ?? null, publishOptions?.idempotency)
    },

    isStored: topic => options.isStored(topic),

    async replay(topics, lastEventId): Promise<ReplayResult> {
      const live = await bus.replay(topics, lastEventId)
      if (!('reset' in live)) return live
      // Only a stream of stored topics alone reaches back into the store: another topic's lost
      // events can't be given, and its reset says so.
      const seen = parseEventId(lastEventId)
      const all = [...topics]
      if (!seen || !all.every(options.isStored)) return live
      // Older than the retention: what followed it may be swept; the reset stands.
      if (seen[0] < Date.now() - options.retentionMs) return live
      // Throws while the store is away: the hub retries the replay until it succeeds.
      return (await replayStored(all, seen)) ?? live
    },

    async recent(topic, limit): Promise<RecentResult> {
      const live = await bus.recent(topic, limit)
      if (!options.isStored(topic) || live.events.length >= limit) return live
      let stored: BusEvent[]
      try {
        stored = await (await openLog()).newest(topic, limit)
      }
      catch {
        return live
      }
      // Both, once each, in id order: the store reaches further back, the live history may hold an
      // event whose commit is still under way (or, on Redis, one another instance stored elsewhere).
      const byId = new Map([...stored, ...live.events].map(event => [event.id, event]))
      const events = [...byId.values()].sort((a, b) => compareEventIds(a.order, b.order)).slice(-limit)
      return { events, newestId: live.newestId }
    },

    onEvent: listener => bus.onEvent(listener),
    listen: bus.listen ? topics => bus.listen!(topics) : undefined,
    unlisten: bus.unlisten ? topics => bus.unlisten!(topics) : undefined,
    get ready() {
      return bus.ready
    },
    get publishedCount() {
      return bus.publishedCount
    },
    historyInfo: () => bus.historyInfo(),
    health: () => bus.health(),
    close: () => bus.close(),
  }
}
