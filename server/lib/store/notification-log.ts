import type { SqlDatabase } from './sql-database'
import { GroupCommit } from './group-commit'
import { countStoreBatch, countSwept } from './store-counts'

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
  private readonly writer: GroupCommit<NotificationRow>

  constructor(private readonly db: SqlDatabase, private readonly track: <T>(work: () => Promise<T>) => Promise<T>) {
    this.writer = new GroupCommit(rows => this.track(() => this.insert(rows)))
  }

  /** Resolves once the row is committed. */
  append(row: NotificationRow): Promise<void> {
    return this.writer.write(row)
  }

  private async insert(rows: NotificationRow[]): Promise<void> {
    const started = performance.now()
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT)
        const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')
        await tx.run(`INSERT INTO notifications (${COLUMNS}) VALUES ${values}`, chunk.flatMap(row => [row.topic, row.id, row.ms, row.seq, row.event, row.data, row.sender, row.created_at]))
      }
    })
    countStoreBatch(rows.length, (performance.now() - started) / 1000)
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
