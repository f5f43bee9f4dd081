import type { IdempotencyRecord, IdempotencyRequest } from '#shared/types/idempotency'
import type { SqlDatabase, SqlRunner } from './sql-database'
import { GroupCommit } from './group-commit'
import { countStoreBatch, countSwept } from './store-counts'

/** Keys are kept this long (then a retry publishes again). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000

/** `stored`, or `duplicate`: its Idempotency-Key was taken (by an earlier publish, or one in the same batch), so nothing was written. */
export type AppendResult = 'stored' | 'duplicate'

/** One stored event: a row of `notifications`. `data` is the published JSON, as text. */
export interface NotificationRow {
  topic: string
  id: string
  ms: number
  seq: number
  event: string
  data: string
  sender: string | null
  created_at: number
}

/** Rows per INSERT statement: 8 values each, far below either database's limit on parameters. */
const ROWS_PER_STATEMENT = 250
const SWEEP_BATCH = 500
const COLUMNS = 'topic, id, ms, seq, event, data, sender, created_at'

/**
 * The stored topics' events in `notifications`: written in groups (one transaction per batch of
 * concurrent publishes, committed, on SQLite fsynced, before any of them is acknowledged), read back
 * in id order for a replay that reaches past the live history, swept after the retention.
 */
export class NotificationLog {
  private readonly writer: GroupCommit<{ row: NotificationRow, claim?: IdempotencyRequest }, AppendResult>

  constructor(private readonly db: SqlDatabase, private readonly track: <T>(work: () => Promise<T>) => Promise<T>) {
    this.writer = new GroupCommit(items => this.track(() => this.insert(items)))
  }

  /**
   * Resolves once the row is committed. With `claim`, the key is taken in the same transaction, or
   * the row is not written at all (`duplicate`): a key and its event are stored together or not at all.
   */
  append(row: NotificationRow, claim?: IdempotencyRequest): Promise<AppendResult> {
    return this.writer.write({ row, claim })
  }

  private async insert(items: Array<{ row: NotificationRow, claim?: IdempotencyRequest }>): Promise<AppendResult[]> {
    const started = performance.now()
    // No keys and one statement: that statement is a transaction of its own (all rows or none),
    // without BEGIN and COMMIT: on PostgreSQL one round trip instead of three.
    if (items.length <= ROWS_PER_STATEMENT && items.every(item => !item.claim)) {
      await this.insertRows(this.db, items.map(item => item.row))
      countStoreBatch(items.length, (performance.now() - started) / 1000)
      return items.map(() => 'stored')
    }
    const results: AppendResult[] = []
    const rows: NotificationRow[] = []
    await this.db.transaction(async (tx) => {
      results.length = rows.length = 0
      for (const { row, claim } of items) {
        if (claim) {
          // A key past its lifetime is taken over; a live one is not.
          const { changes } = await tx.run(
            `INSERT INTO idempotency_keys (scope, key, body_hash, topic, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (scope, key) DO UPDATE SET body_hash = excluded.body_hash, topic = excluded.topic, event_id = excluded.event_id, created_at = excluded.created_at
             WHERE idempotency_keys.created_at < ?`,
            [claim.scope, claim.key, claim.bodyHash, row.topic, row.id, row.created_at, row.created_at - IDEMPOTENCY_TTL_MS],
          )
          if (!changes) {
            results.push('duplicate')
            continue
          }
        }
        results.push('stored')
        rows.push(row)
      }
      await this.insertRows(tx, rows)
    })
    countStoreBatch(rows.length, (performance.now() - started) / 1000)
    return results
  }

  private async insertRows(on: SqlRunner, rows: NotificationRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT)
      const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
      await on.run(`INSERT INTO notifications (${COLUMNS}) VALUES ${values}`, chunk.flatMap(row => [row.topic, row.id, row.ms, row.seq, row.event, row.data, row.sender, row.created_at]))
    }
  }

  /** What `key` of `scope` was first used for, if that was within its lifetime. */
  async idempotencyRecord(scope: string, key: string, now = Date.now()): Promise<IdempotencyRecord | undefined> {
    const row = await this.track(() => this.db.get<{ body_hash: string, topic: string, event_id: string }>(
      'SELECT body_hash, topic, event_id FROM idempotency_keys WHERE scope = ? AND key = ? AND created_at >= ?',
      [scope, key, now - IDEMPOTENCY_TTL_MS],
    ))
    return row && { bodyHash: row.body_hash, topic: row.topic, eventId: row.event_id }
  }

  /** Events of `topics` after id `[ms, seq]`, oldest first, at most `limit`. */
  after(topics: readonly string[], [ms, seq]: readonly [number, number], limit: number): Promise<NotificationRow[]> {
    if (!topics.length) return Promise.resolve([])
    const placeholders = topics.map(() => '?').join(', ')
    return this.track(() => this.db.all<NotificationRow>(
      `SELECT ${COLUMNS} FROM notifications WHERE topic IN (${placeholders}) AND (ms > ? OR (ms = ? AND seq > ?)) ORDER BY ms, seq LIMIT ?`,
      [...topics, ms, ms, seq, limit],
    ))
  }

  /** The newest `limit` events of `topic`, oldest first. */
  async newest(topic: string, limit: number): Promise<NotificationRow[]> {
    const rows = await this.track(() => this.db.all<NotificationRow>(`SELECT ${COLUMNS} FROM notifications WHERE topic = ? ORDER BY ms DESC, seq DESC LIMIT ?`, [topic, limit]))
    return rows.reverse()
  }

  /** The newest id stored, of any topic: event ids start above it after a restart. */
  async newestId(): Promise<[number, number] | undefined> {
    const row = await this.track(() => this.db.get<{ ms: number, seq: number }>('SELECT ms, seq FROM notifications ORDER BY ms DESC, seq DESC LIMIT 1'))
    return row ? [Number(row.ms), Number(row.seq)] : undefined
  }

  /**
   * Deletes what is older than `cutoffMs`, SWEEP_BATCH rows per statement, yielding to the event loop
   * between statements (a large backlog never holds it, nor the database's write lock, for long).
   * Returns how many rows went.
   */
  async sweep(cutoffMs: number, yieldBetween: () => Promise<void> = () => new Promise(resolve => setImmediate(resolve))): Promise<number> {
    for (;;) {
      const { changes } = await this.track(() => this.db.run(
        'DELETE FROM idempotency_keys WHERE (scope, key) IN (SELECT scope, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)',
        [Date.now() - IDEMPOTENCY_TTL_MS, SWEEP_BATCH],
      ))
      if (changes < SWEEP_BATCH) break
      await yieldBetween()
    }
    let total = 0
    for (;;) {
      const { changes } = await this.track(() => this.db.run(
        'DELETE FROM notifications WHERE (topic, ms, seq) IN (SELECT topic, ms, seq FROM notifications WHERE created_at < ? ORDER BY created_at LIMIT ?)',
        [cutoffMs, SWEEP_BATCH],
      ))
      total += changes
      countSwept(changes)
      if (changes < SWEEP_BATCH) return total
      await yieldBetween()
    }
  }
}
