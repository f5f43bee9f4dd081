import type { Pool, PoolClient } from 'pg'
import type { SqlDatabase, SqlRunner, SqlValue } from './sql-database'

/** Any number, the same on every instance: the key of the advisory lock migrations run under. */
const MIGRATION_LOCK_KEY = 732_410_023

/** A query that can't get a connection in this time fails (the publish answers 503) instead of hanging. */
const CONNECT_TIMEOUT_MS = 5000

/** `?` placeholders (the store's one style) as PostgreSQL's `$1, $2, ...`. */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

function runnerOn(client: Pick<Pool, 'query'> | PoolClient): SqlRunner {
  return {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query(numbered(sql), params as SqlValue[])).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await client.query(numbered(sql), params as SqlValue[])).rows[0] as T | undefined,
    run: async (sql, params = []) => ({ changes: (await client.query(numbered(sql), params as SqlValue[])).rowCount ?? 0 }),
  }
}

/**
 * PostgreSQL through a `pg` pool: a connection lost (the server restarted, failed over) is dropped
 * and the next query opens a new one, so the store recovers by itself; an idle connection's error
 * is caught here instead of crashing the process as an unhandled `error` event.
 */
export async function openPostgresDatabase(url: string): Promise<SqlDatabase> {
  const pg = (await import('pg')).default
  // BIGINT (int8) as a number: ids are ms and sequence numbers, exact in a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => Number(text))
  const pool: Pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 })
  pool.on('error', () => {})

  const transaction = async <T>(work: (tx: SqlRunner) => Promise<T>, lock = false): Promise<T> => {
    const client = await pool.connect()
    let broken: Error | undefined
    const onError = (error: Error) => (broken = error)
    client.on('error', onError)
    try {
      await client.query('BEGIN')
      if (lock) await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
      const result = await work(runnerOn(client))
      await client.query('COMMIT')
      return result
    }
    catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken ??= rollback))
      throw error
    }
    finally {
      client.off('error', onError)
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(broken)
    }
  }

  return {
    dialect: 'postgresql',
    ...runnerOn(pool),
    transaction: work => transaction(work),
    // A transaction-scoped advisory lock: released by COMMIT or ROLLBACK, or when the connection drops.
    withMigrationLock: work => transaction(work, true),
    close: () => pool.end(),
  }
}
