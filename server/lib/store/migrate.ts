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
    if (migration.version !== index + 1) throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1} (server/lib/store/migration-list.ts)`)
  })
}

/**
 * Brings the schema to the newest version, under the database's migration lock: a second instance
 * starting at the same moment waits for the first, then finds nothing left to do. Each run is one
 * transaction (DDL is transactional on both databases), so a crash leaves the previous version.
 * A database newer than this code (a rollback of a deploy) is left as it is.
 */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  assertOrdered(migrations)
  return db.withMigrationLock(async (tx) => {
    await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    const row = await tx.get<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations')
    const current = Number(row?.version ?? 0)
    const applied: number[] = []
    for (const migration of migrations) {
      if (migration.version <= current) continue
      for (const statement of statementsFor(migration, db.dialect)) await tx.run(statement)
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, Date.now()])
      applied.push(migration.version)
    }
    return { applied, version: Math.max(current, migrations.length) }
  })
}
