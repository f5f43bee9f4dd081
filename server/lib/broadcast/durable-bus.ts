import type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
import type { EventId } from '#shared/utils/event-id'
import { createBusEvent } from './bus'
import { formatEventId, parseEventId } from '#shared/utils/event-id'
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
  'CREATE TABLE IF NOT EXISTS notify_events (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL, frame TEXT NOT NULL)',
  'CREATE INDEX IF NOT EXISTS notify_events_topic ON notify_events (topic, seq)',
  'CREATE INDEX IF NOT EXISTS notify_events_at ON notify_events (at)',
  // Per topic, the newest seq dropped from its history: a client that saw less has lost events. Kept
  // after a topic's last event goes (at most maxEvents such rows; older ones fold into `forgotten`).
  'CREATE TABLE IF NOT EXISTS notify_topics (topic TEXT PRIMARY KEY, trimmed INTEGER NOT NULL)',
  // epoch: when this storage was first used, the `<ms>` of every id; last: the newest seq given out;
  // forgotten: the floor of every topic without a row of its own.
  'CREATE TABLE IF NOT EXISTS notify_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)',
]

/**
 * The bus inside the cloudflare-durable preset's Durable Object: every subscriber and publisher of
 * the object is in this one isolate, so fan-out is the hub's, as on Node; what the memory bus keeps
 * in rings is kept here in the object's SQLite storage, with the same rules: history per topic (at
 * most `size` events each, none older than `maxAgeMs`, at most `maxEvents` in all, the oldest of any
 * topic first), one id sequence across topics. The history, and the id sequence, outlive the object
 * (evicted when idle, restarted on deploy or by the platform): a client that resumes with its
 * Last-Event-ID afterwards gets what it missed, or `reset` when history no longer has it.
 *
 * Ids are `<epoch>-<seq>`, epoch fixed when the storage was created: they keep growing across
 * restarts, and ids of another storage (or the memory bus) sort before them and get a reset.
 * Each publish is one SQLite transaction; the object's output gate holds its answer until the write
 * is durable, so a 200 means stored.
 */
export function createDurableBus(storage: DurableStorage, limits: HistoryLimits): EventBus {
  const { sql } = storage
  const maxEvents = limits.maxEvents ?? Infinity
  const rows = (query: string, ...bindings: SqlValue[]) => sql.exec(query, ...bindings).toArray()
  const meta = (key: string) => rows('SELECT value FROM notify_meta WHERE key = ?', key)[0]?.value as number | undefined
  const setMeta = (key: string, value: number) => sql.exec('INSERT OR REPLACE INTO notify_meta (key, value) VALUES (?, ?)', key, value)

  const { epoch, last } = storage.transactionSync(() => {
    for (const statement of SCHEMA) sql.exec(statement)
    if (meta('epoch') === undefined) setMeta('epoch', Date.now())
    return { epoch: meta('epoch')!, last: meta('last') ?? 0 }
  })
  let lastSeq = last
  let published = 0
  const listeners: Array<(event: BusEvent) => void> = []

  const floorOf = (topic: string): number =>
    (rows('SELECT trimmed FROM notify_topics WHERE topic = ?', topic)[0]?.trimmed as number | undefined) ?? meta('forgotten') ?? 0

  /** Drops the events `where` selects, topic by topic, raising each topic's floor to what it lost. */
  function drop(where: string, ...bindings: SqlValue[]) {
    for (const row of rows(`SELECT topic, MAX(seq) AS upTo FROM notify_events WHERE ${where} GROUP BY topic`, ...bindings)) {
      sql.exec('UPDATE notify_topics SET trimmed = MAX(trimmed, ?) WHERE topic = ?', row.upTo!, row.topic!)
    }
    sql.exec(`DELETE FROM notify_events WHERE ${where}`, ...bindings)
  }

  /** Past the age or total limit, across topics; the floors of emptied topics kept, at most maxEvents of them. */
  function sweep(now: number) {
    drop('at < ?', now - limits.maxAgeMs)
    const over = (rows('SELECT COUNT(*) AS n FROM notify_events')[0]!.n as number) - maxEvents
    if (over > 0) drop('seq <= (SELECT seq FROM notify_events ORDER BY seq LIMIT 1 OFFSET ?)', over - 1)
    const emptied = 'topic NOT IN (SELECT topic FROM notify_events)'
    const extra = (rows(`SELECT COUNT(*) AS n FROM notify_topics WHERE ${emptied}`)[0]!.n as number) - Math.min(maxEvents, 1_000_000)
    if (extra <= 0) return
    const folded = rows(`SELECT topic, trimmed FROM notify_topics WHERE ${emptied} ORDER BY trimmed LIMIT ?`, extra)
    for (const row of folded) sql.exec('DELETE FROM notify_topics WHERE topic = ?', row.topic!)
    setMeta('forgotten', Math.max(meta('forgotten') ?? 0, ...folded.map(row => row.trimmed as number)))
  }

  const encoder = new TextEncoder()
  const toEvent = (row: Record<string, SqlValue>): BusEvent => {
    const order: EventId = [epoch, row.seq as number]
    return {
      id: formatEventId(order),
      order,
      topic: row.topic as string,
      event: row.event as string,
      data: JSON.parse(row.data as string),
      at: row.at as number,
      frame: encoder.encode(row.frame as string),
    }
  }
  const idOf = (seq: SqlValue | undefined) => (typeof seq === 'number' ? formatEventId([epoch, seq]) : undefined)

  return {
    async publish(input: PublishInput) {
      const at = Date.now()
      const event = createBusEvent([epoch, lastSeq + 1], input, at)
      const seq = event.order[1]
      storage.transactionSync(() => {
        sql.exec('INSERT OR IGNORE INTO notify_topics (topic, trimmed) VALUES (?, ?)', event.topic, floorOf(event.topic))
        sql.exec('INSERT INTO notify_events (seq, topic, event, at, data, frame) VALUES (?, ?, ?, ?, ?, ?)', seq, event.topic, event.event, at, JSON.stringify(input.data ?? null), new TextDecoder().decode(event.frame))
        setMeta('last', seq)
        // The topic's own limit: what is older than its newest `size` events.
        const cut = rows('SELECT seq FROM notify_events WHERE topic = ? ORDER BY seq DESC LIMIT 1 OFFSET ?', event.topic, limits.size)[0]?.seq
        if (cut !== undefined) drop('topic = ? AND seq <= ?', event.topic, cut)
        sweep(at)
      })
      lastSeq = seq
      published++
      for (const listener of listeners) listener(event)
      return event
    },

    async replay(topics, lastEventId): Promise<ReplayResult> {
      storage.transactionSync(() => sweep(Date.now()))
      const seen = parseEventId(lastEventId)
      const newest: EventId = [epoch, lastSeq]
      const wanted = [...topics]
      const among = `topic IN (${wanted.map(() => '?').join(', ')})`
      const oldestId = () => idOf(rows(`SELECT MIN(seq) AS seq FROM notify_events WHERE ${among}`, ...wanted)[0]?.seq)
      // A reset names the newest point of these topics (their newest event, or how far they were
      // trimmed), not the bus's newest id: that would show other (private) topics' activity.
      const knownUpTo = () => formatEventId([epoch, Math.max(
        Number(rows(`SELECT MAX(seq) AS seq FROM notify_events WHERE ${among}`, ...wanted)[0]?.seq ?? 0),
        ...wanted.map(floorOf),
      )])
      // The reset rule, topic by topic: one topic that lost events after `seen` resets the stream.
      for (const topic of wanted) {
        const gap = replayGap(seen, newest, [epoch, floorOf(topic)])
        if (gap) return { reset: { reason: gap, oldestId: oldestId() }, newestId: knownUpTo() }
      }
      // Past replayGap, `seen` is of this epoch, between a floor and the newest seq.
      return { events: rows(`SELECT * FROM notify_events WHERE seq > ? AND ${among} ORDER BY seq`, seen![1], ...wanted).map(toEvent) }
    },

    async recent(topic, limit): Promise<RecentResult> {
      // `<epoch>-0` before the first publish: "from now", as on the memory bus.
      storage.transactionSync(() => sweep(Date.now()))
      const newest = rows('SELECT * FROM notify_events WHERE topic = ? ORDER BY seq DESC LIMIT ?', topic, limit)
      return { events: newest.reverse().map(toEvent), newestId: formatEventId([epoch, lastSeq]) }
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
      storage.transactionSync(() => sweep(Date.now()))
      const row = rows('SELECT COUNT(*) AS size, MIN(seq) AS oldest, MAX(seq) AS newest FROM notify_events')[0]!
      return { size: row.size as number, oldestId: idOf(row.oldest), newestId: idOf(row.newest) }
    },

    health: () => ({ kind: 'durable-object', connected: true }),

    async close() {
      listeners.length = 0
    },
  }
}
