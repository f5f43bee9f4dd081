import { type Migration, statementsFor } from './migration'
import { MIGRATIONS } from './migration-list'
import type { SqlDatabase } from './sql-database'

export interface MigrationOutcome {
  /** The versions this call applied (empty when another instance, or an earlier start, already had). */
  applied: number[]
  /** The schema's version now. */
  version: number
}

function assertOrdered(migrations: readonly Migration[]) {
  migrations.forEach((migration, index) => {
    const before = migrations[index - 1]
    if (!Number.isInteger(migration.version) || migration.version < 1 || (before && migration.version <= before.version)) {
      throw new Error(`migration ${migration.name} has version ${migration.version}: versions must rise through server/lib/store/migration-list.ts`)
    }
  })
}

/**
 * Brings the schema to the newest version, under the database's migration lock: a second instance
 * starting at the same moment waits for the first, then finds nothing left to do. Each run is one
 * transaction (DDL is transactional on both databases), so a crash leaves the previous version.
 * A database newer than this code (a rollback of a deploy) is left as it is. Versions rise but may
 * have gaps.
 */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  assertOrdered(migrations)
  return db.withMigrationLock(async (tx) => {
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    // Each version not recorded yet, not only those above the newest: two branches' migrations
    // merged in either order are both applied.
    const rows = await tx.all<{ version: number }>('SELECT version FROM schema_migrations')
    const done = new Set(rows.map(row => Number(row.version)))
    const current = Math.max(0, ...done)
    const applied: number[] = []
    for (const migration of migrations) {
      if (done.has(migration.version)) continue
      for (const statement of statementsFor(migration, db.dialect)) await tx.run(statement)
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, Date.now()])
      applied.push(migration.version)
    }
    return { applied, version: Math.max(current, ...migrations.map(m => m.version)) }
  })
}
