import type { InboxChangeSet, InboxCounts, InboxItem, InboxStatus } from '#shared/types/inbox'
import { formatEventId, parseEventId } from '#shared/utils/event-id'
import { type SqlDatabase, type SqlRunner, type SqlValue, countInboxWrite } from '#server/lib/store'
import type { InboxQuery, InboxRepository, InboxTarget } from './repository'

/** Runs `work` on the store's database (and keeps the store's health current). */
export type WithDatabase = <T>(work: (db: SqlDatabase) => Promise<T>) => Promise<T>

interface ItemRow {
  ms: number
  seq: number
  event: string
  data: string
  sender: string | null
  seen_at: number | null
  read_at: number | null
  archived_at: number | null
}

// Every query of a user's items: their topic's notifications, each with its state row if any. The
// `inbox` change events are not items (they are never stored; this keeps it so if one were).
const ITEMS = `FROM notifications n
  LEFT JOIN inbox_state s ON s.topic = n.topic AND s.ms = n.ms AND s.seq = n.seq
  WHERE n.topic = ? AND n.event <> 'inbox'`

const STATUS: Record<InboxStatus, string> = {
  unread: 's.read_at IS NULL AND s.archived_at IS NULL',
  all: 's.archived_at IS NULL',
  archived: 's.archived_at IS NOT NULL',
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString())
const id = (ms: number, seq: number) => formatEventId([Number(ms), Number(seq)])
const topicOf = (userId: string) => `user:${userId}`

function itemOf(row: ItemRow): InboxItem {
  return {
    id: id(row.ms, row.seq),
    event: row.event,
    data: JSON.parse(row.data),
    sender: row.sender,
    at: iso(row.ms)!,
    seenAt: iso(row.seen_at),
    readAt: iso(row.read_at),
    archivedAt: iso(row.archived_at),
  }
}

/** `(ms, seq) <= id` (or `<`), for the cursor and `upTo`, written out: row values compare differently on the two databases' planners. */
function upToClause(upTo: string, inclusive: boolean): { sql: string, params: SqlValue[] } {
  const [ms, seq] = parseEventId(upTo)!
  return { sql: `(n.ms < ? OR (n.ms = ? AND n.seq ${inclusive ? '<=' : '<'} ?))`, params: [ms, ms, seq] }
}

/**
 * What a change writes, as expressions over the current state `s` (NULL when it has no row), and
 * which rows it would change: only those are written and answered. Reading marks seen too; a
 * time already set is kept.
 */
function changeOf(set: InboxChangeSet, at: number): { columns: string, params: SqlValue[], changes: string } {
  const params: SqlValue[] = []
  const changes: string[] = []
  const time = (column: string) => {
    params.push(at)
    return `COALESCE(s.${column}, ?)`
  }
  const seen = set.seen || set.read === true ? time('seen_at') : 's.seen_at'
  if (set.seen || set.read === true) changes.push('s.seen_at IS NULL')
  const read = set.read === true ? time('read_at') : set.read === false ? 'CAST(NULL AS BIGINT)' : 's.read_at'
  if (set.read !== undefined) changes.push(`s.read_at IS ${set.read ? '' : 'NOT '}NULL`)
  const archived = set.archived === true ? time('archived_at') : set.archived === false ? 'CAST(NULL AS BIGINT)' : 's.archived_at'
  if (set.archived !== undefined) changes.push(`s.archived_at IS ${set.archived ? '' : 'NOT '}NULL`)
  return { columns: `${seen}, ${read}, ${archived}`, params, changes: changes.length ? `(${changes.join(' OR ')})` : 'FALSE' }
}

/**
 * One statement writes the new state of every row `where` selects that the change changes, and
 * answers their ids: an upsert from a SELECT of the items, so a read-all of a long inbox is one
 * statement, not a round trip per item.
 */
async function write(db: SqlRunner, topic: string, set: InboxChangeSet, at: number, where: { sql: string, params: SqlValue[] }): Promise<string[]> {
  const change = changeOf(set, at)
  const rows = await db.all<{ ms: number, seq: number }>(
    `INSERT INTO inbox_state (topic, ms, seq, seen_at, read_at, archived_at)
      SELECT n.topic, n.ms, n.seq, ${change.columns} ${ITEMS} AND ${where.sql} AND ${change.changes}
      ON CONFLICT (topic, ms, seq) DO UPDATE SET seen_at = excluded.seen_at, read_at = excluded.read_at, archived_at = excluded.archived_at
      RETURNING ms, seq`,
    [...change.params, topic, ...where.params],
  )
  return rows.map(row => id(row.ms, row.seq))
}

/** `write`, counted for the store's metrics (no label: never a user). */
async function counted<T extends string[] | undefined>(work: () => Promise<T>): Promise<T> {
  const started = performance.now()
  const changed = await work()
  countInboxWrite(changed?.length ?? 0, (performance.now() - started) / 1000)
  return changed
}

/**
 * The inbox in the store's database (SQLite or PostgreSQL): the items are the `notifications` of
 * the user's topic (stored topics, `user:*` by default), their state the `inbox_state` table
 * (migration 002), shared by every instance on that database.
 */
export function createSqlInboxRepository(withDatabase: WithDatabase): InboxRepository {
  return {
    list: (userId: string, query: InboxQuery) => withDatabase(async (db) => {
      const before = query.before ? upToClause(query.before, false) : undefined
      const rows = await db.all<ItemRow>(
        `SELECT n.ms, n.seq, n.event, n.data, n.sender, s.seen_at, s.read_at, s.archived_at ${ITEMS}
          AND ${STATUS[query.status]}${before ? ` AND ${before.sql}` : ''}
          ORDER BY n.ms DESC, n.seq DESC LIMIT ?`,
        [topicOf(userId), ...(before?.params ?? []), query.limit + 1],
      )
      const items = rows.slice(0, query.limit).map(itemOf)
      return { items, next: rows.length > query.limit ? items.at(-1)!.id : null }
    }),

    counts: (userId: string) => withDatabase(async (db): Promise<InboxCounts> => {
      const row = await db.get<{ unread: number | null, unseen: number | null, total: number | null }>(
        `SELECT COUNT(*) AS total,
          SUM(CASE WHEN s.archived_at IS NULL AND s.read_at IS NULL THEN 1 ELSE 0 END) AS unread,
          SUM(CASE WHEN s.archived_at IS NULL AND s.seen_at IS NULL THEN 1 ELSE 0 END) AS unseen
          ${ITEMS}`,
        [topicOf(userId)],
      )
      return { unread: Number(row?.unread ?? 0), unseen: Number(row?.unseen ?? 0), total: Number(row?.total ?? 0) }
    }),

    change: (userId: string, target: InboxTarget, set: InboxChangeSet, at: number) => counted(() => withDatabase(db => db.transaction(async (tx) => {
      const topic = topicOf(userId)
      if ('upTo' in target) return write(tx, topic, set, at, upToClause(target.upTo, true))
      const ids = [...new Set(target.ids)].map(value => parseEventId(value)!)
      const where = {
        sql: `(${ids.map(() => '(n.ms = ? AND n.seq = ?)').join(' OR ')})`,
        params: ids.flatMap(([ms, seq]) => [ms, seq]),
      }
      // Every one of them the user's, or none is changed (the route answers 404).
      const owned = await tx.get<{ count: number }>(`SELECT COUNT(*) AS count ${ITEMS} AND ${where.sql}`, [topic, ...where.params])
      if (Number(owned?.count ?? 0) !== ids.length) return undefined
      return write(tx, topic, set, at, where)
    }))),

    readAll: (userId: string, upTo: string | undefined, at: number) => counted(() => withDatabase(db =>
      write(db, topicOf(userId), { read: true }, at, upTo ? upToClause(upTo, true) : { sql: 'TRUE', params: [] }))),
  }
}
