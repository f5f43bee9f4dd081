import { type DatabaseLocation, describeLocation } from './database-url'
import { migrate, type MigrationOutcome } from './migrate'
import { openPostgresDatabase } from './postgres-database'
import type { SqlDatabase } from './sql-database'
import { openSqliteDatabase } from './sqlite-database'

/** Whether the store's last statement succeeded: `GET /api/health` reports it as `store`. */
export type StoreState = 'up' | 'down'

/**
 * The system of record: one database (SQLite or PostgreSQL), its schema migrated. `db` is for the
 * store's own modules (notifications here, the inbox's state beside it); `state` follows every
 * statement they run through `track`, so health turns `down` on the first failure and `up` on the
 * first success after it, with no probe of its own.
 */
export class NotifyStore {
  private failing = false

  constructor(readonly db: SqlDatabase, readonly description: string, readonly migration: MigrationOutcome) {}

  get dialect() {
    return this.db.dialect
  }

  get state(): StoreState {
    return this.failing ? 'down' : 'up'
  }

  /** Runs `work` on the database, keeping `state` current; rethrows its error. */
  async track<T>(work: (db: SqlDatabase) => Promise<T>): Promise<T> {
    try {
      const result = await work(this.db)
      this.failing = false
      return result
    }
    catch (error) {
      this.failing = true
      throw error
    }
  }

  close(): Promise<void> {
    return this.db.close()
  }
}

/** The database at `location`, as it is (no migration): openStore's first step, and the migration tests'. */
export async function openDatabase(location: DatabaseLocation): Promise<SqlDatabase> {
  return location.dialect === 'sqlite' ? openSqliteDatabase(location.path) : await openPostgresDatabase(location.url)
}

/** Opens the database at `location` and migrates it to the newest schema; throws when it can't. */
export async function openStore(location: DatabaseLocation): Promise<NotifyStore> {
  const db = await openDatabase(location)
  try {
    return new NotifyStore(db, describeLocation(location), await migrate(db))
  }
  catch (error) {
    await db.close().catch(() => {})
    throw error
  }
}
