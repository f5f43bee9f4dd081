import type { SqlDialect } from './sql-database'

/**
 * One step of the schema, in server/lib/store/migrations/NNN-name.ts and listed in
 * migration-list.ts: applied once, in version order, with its row in `schema_migrations`.
 * Never edit one that has shipped: add the next.
 */
export interface Migration {
  version: number
  name: string
  sqlite: readonly string[]
  postgresql: readonly string[]
}

export function statementsFor(migration: Migration, dialect: SqlDialect): readonly string[] {
  return dialect === 'sqlite' ? migration.sqlite : migration.postgresql
}
