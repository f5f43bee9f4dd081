/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | null

/** The dialect a migration or a query is written for. */
export type SqlDialect = 'sqlite' | 'postgresql'

/**
 * What the store's queries run on, the same on SQLite and PostgreSQL: `?` placeholders (numbered
 * for PostgreSQL here), rows as plain objects. BIGINT columns come back as numbers on both.
 */
export interface SqlRunner {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>
  /** An INSERT/UPDATE/DELETE: how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>
}

export interface SqlDatabase extends SqlRunner {
  readonly dialect: SqlDialect
  /**
   * `work` inside one transaction: committed when it settles, rolled back when it throws. On SQLite
   * the write lock is taken at the start (BEGIN IMMEDIATE), so two processes never deadlock on an
   * upgrade; statements outside it wait for it to end.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>
  /**
   * `work` while holding the database-wide migration lock (PostgreSQL: a session advisory lock;
   * SQLite: the write lock of one BEGIN IMMEDIATE transaction, which `work` then runs inside).
   */
  withMigrationLock<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>
  close(): Promise<void>
}
