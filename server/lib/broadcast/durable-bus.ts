import type { BusEvent, EventBus, PublishInput, ReplayResult } from './bus'
import type { EventId } from './event-id'
import { createBusEvent } from './bus'
import { formatEventId, parseEventId } from './event-id'
import type { HistoryLimits } from './history'
import { replayGap } from './history'

type SqlValue = string | number | ArrayBuffer | null

/** The part of a SQLite-backed Durable Object's `ctx.storage` this bus uses (no workers-types here). */
export interface DurableStorage {
  sql: {
    exec(query: string, ...bindings: SqlValue[]): { toArray(): Record<string, SqlValue>[], one(): Record<string, SqlValue> }
  }
  transactionSync<T>(fn: () => T): T
}

const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS notify_events (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL, frame TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS notify_events_topic ON notify_events (topic, seq)',
  // epoch: when this storage was first used, the `<ms>` of every id; last: the newest seq given out;
  // trimmed: the newest seq dropped from history (a client that saw less has lost events).
  'CREATE TABLE IF NOT EXISTS notify_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
]

/**
 * The bus inside the cloudflare-durable preset's Durable Object: every subscriber and publisher of
 * the object is in this one isolate, so fan-out is the hub's, as on Node; what the memory bus keeps
 * in a ring is kept here in the object's SQLite storage. The history, and the id sequence, outlive
 * the object (evicted when idle, restarted on deploy or by the platform): a client that resumes with
 * its Last-Event-ID afterwards gets what it missed, or `reset` when history no longer has it.
 *
 * Ids are `<epoch>-<seq>`, epoch fixed when the storage was created: they keep growing across
 * restarts, and ids of another storage (or the memory bus) sort before them and get a reset.
 * Each publish is one SQLite transaction; the object's output gate holds its answer until the write
 * is durable, so a 200 means stored.
 */
export function createDurableBus(storage: DurableStorage, limits: HistoryLimits): EventBus {
  const { sql } = storage
  const meta = (key: string) => sql.exec('SELECT value FROM notify_meta WHERE key = ?', key).toArray()[0]?.value as number | undefined
  const setMeta = (key: string, value: number) => sql.exec('INSERT OR REPLACE INTO notify_meta (key, value) VALUES (?, ?)', key, value)

  const { epoch, last, trimmed } = storage.transactionSync(() => {
    for (const statement of SCHEMA) sql.exec(statement)
    if (meta('epoch') === undefined) setMeta('epoch', Date.now())
    return { epoch: meta('epoch')!, last: meta('last') ?? 0, trimmed: meta('trimmed') ?? 0 }
  })
  let lastSeq = last
  let trimmedUpTo = trimmed
  let published = 0
  const listeners: Array<(event: BusEvent) => void> = []

  /** Drops what is past the size or age limit; remembers the newest seq dropped. */
  function trim(now: number) {
    const row = sql.exec('SELECT MAX(seq) AS seq FROM notify_events WHERE seq <= ? OR at < ?', lastSeq - limits.size, now - limits.maxAgeMs).one()
    const upTo = row.seq as number | null
    if (upTo === null || upTo <= trimmedUpTo) return
    sql.exec('DELETE FROM notify_events WHERE seq <= ?', upTo)
    setMeta('trimmed', trimmedUpTo = upTo)
  }

  function oldestId(): string | undefined {
    const seq = sql.exec('SELECT MIN(seq) AS seq FROM notify_events').one().seq as number | null
    return seq === null ? undefined : formatEventId([epoch, seq])
  }

  return {
    async publish(input: PublishInput) {
      const at = Date.now()
      const event = createBusEvent([epoch, lastSeq + 1], input, at)
      storage.transactionSync(() => {
        sql.exec('INSERT INTO notify_events (seq, topic, event, at, frame) VALUES (?, ?, ?, ?, ?)', event.order[1], event.topic, event.event, at, new TextDecoder().decode(event.frame))
        setMeta('last', event.order[1])
        trim(at)
      })
      lastSeq = event.order[1]
      published++
      for (const listener of listeners) listener(event)
      return event
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      storage.transactionSync(() => trim(Date.now()))
      const seen = parseEventId(lastEventId)
      const newest: EventId = [epoch, lastSeq]
      const gap = replayGap(seen, newest, [epoch, trimmedUpTo])
      if (gap) return { reset: { reason: gap, oldestId: oldestId() }, newestId: formatEventId(newest) }
      // Past replayGap, `seen` is of this epoch, between the trimmed and the newest seq.
      const wanted = [...topics]
      const rows = sql.exec(
        `SELECT seq, topic, event, at, frame FROM notify_events WHERE seq > ? AND topic IN (${wanted.map(() => '?').join(', ')}) ORDER BY seq`,
        seen![1], ...wanted,
      ).toArray()
      const encoder = new TextEncoder()
      return {
        events: rows.map((row) => {
          const order: EventId = [epoch, row.seq as number]
          return { id: formatEventId(order), order, topic: row.topic as string, event: row.event as string, at: row.at as number, frame: encoder.encode(row.frame as string) }
        }),
      }
    },

    onEvent(listener) {
      listeners.push(listener)
    },

    // The schema and the sequence were read in the constructor, synchronously.
    ready: Promise.resolve(),

    /** Accepted since this object started (the history and ids outlive it; this count does not). */
    get publishedCount() {
      return published
    },

    async historyInfo() {
      const row = sql.exec('SELECT COUNT(*) AS size, MIN(seq) AS oldest, MAX(seq) AS newest FROM notify_events').one()
      const id = (seq: SqlValue | undefined) => (typeof seq === 'number' ? formatEventId([epoch, seq]) : undefined)
      return { size: row.size as number, oldestId: id(row.oldest), newestId: id(row.newest) }
    },

    health: () => ({ kind: 'durable-object', connected: true }),

    async close() {
      listeners.length = 0
    },
  }
}
