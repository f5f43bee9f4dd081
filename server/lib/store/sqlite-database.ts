import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import { SerialQueue } from './serial-queue'
import type { SqlDatabase, SqlRunner, SqlValue } from './sql-database'

/**
 * How long a statement waits for another process's write lock before it fails (then the publish
 * answers 503). node:sqlite is synchronous, so this wait holds the event loop: kept short, and
 * while the database stays locked only one publish every PROBE_MS (stored-topics-bus.ts) waits.
 */
const BUSY_TIMEOUT_MS = 250

/**
 * SQLite in one file through Node 24's built-in `node:sqlite` (no native build, installs offline).
 * WAL, so readers never wait for the writer; synchronous=FULL, so a commit is on disk (the WAL
 * fsynced) before it returns, and so before a publish is acknowledged.
 */
export function openSqliteDatabase(path: string): SqlDatabase {
  // Looked up at run time: the module exists only on Node (and Deno); other runtimes never get here.
  const sqlite = globalThis.process?.getBuiltinModule?.('node:sqlite') as typeof import('node:sqlite') | undefined
  if (!sqlite) throw new Error('SQLite needs node:sqlite (Node.js >= 22.5); set NUXT_NOTIFY_DATABASE_URL=postgres://... instead')
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db: DatabaseSync = new sqlite.DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS })
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = FULL')
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`)
  db.exec('PRAGMA foreign_keys = ON')

  const statements = new Map<string, StatementSync>()
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      // Rows' BIGINT columns as numbers: ids are ms and sequence numbers, exact in a double.
      statement.setReadBigInts(false)
      statements.set(sql, statement)
    }
    return statement
  }
  const runner: SqlRunner = {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).get(...params) as T | undefined,
    run: async (sql, params = []) => ({ changes: Number(prepare(sql).run(...params).changes) }),
  }
  const queue = new SerialQueue()
  let closed = false

  const transaction = <T>(work: (tx: SqlRunner) => Promise<T>) => queue.run(async () => {
    db.exec('BEGIN IMMEDIATE')
    try {
      const result = await work(runner)
      db.exec('COMMIT')
      return result
    }
    catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK')
      throw error
    }
  })

  return {
    dialect: 'sqlite',
    all: (sql, params) => queue.run(() => runner.all(sql, params)),
    get: (sql, params) => queue.run(() => runner.get(sql, params)),
    run: (sql, params) => queue.run(() => runner.run(sql, params)),
    transaction,
    withMigrationLock: transaction,
    close: () => queue.run(() => {
      if (closed) return
      closed = true
      statements.clear()
      db.close()
    }),
  }
}
