import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DatabaseLocation, MIGRATIONS, type NotifyStore, migrate, openDatabase, openStore, parseDatabaseUrl } from '#server/lib/store'
import { type PostgresServer, startPostgres } from '../support/postgres'
import { startInstance } from '../support/processes'

/**
 * The store's schema at start: an empty database gets every migration, one at the previous version
 * only the newest, and two instances starting at once apply each migration exactly once. On a real
 * SQLite file and a real PostgreSQL server (its own, started here).
 */
let postgres: PostgresServer
const dir = mkdtempSync(join(tmpdir(), 'notify-store-migrations-'))
let databases = 0

beforeAll(async () => {
  postgres = await startPostgres()
})

afterAll(async () => {
  await postgres?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const versions = MIGRATIONS.map(m => m.version)
const newest = versions.at(-1)!

const dialects: Array<[string, () => Promise<DatabaseLocation>]> = [
  ['SQLite', async () => parseDatabaseUrl(`file:${join(dir, `db-${++databases}.sqlite`)}`)],
  ['PostgreSQL', async () => parseDatabaseUrl(await postgres.createDatabase(`migrations_${++databases}`))],
]

async function appliedVersions(store: NotifyStore): Promise<number[]> {
  const rows = await store.db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
  return rows.map(row => Number(row.version))
}

describe.each(dialects)('migrations on %s', (_, newDatabase) => {
  it('migrates an empty database to the newest version, and does nothing the second time', async () => {
    const location = await newDatabase()
    const first = await openStore(location)
    try {
      expect(first.migration).toEqual({ applied: MIGRATIONS.map(m => m.version), version: newest })
      expect(await appliedVersions(first)).toEqual(MIGRATIONS.map(m => m.version))
      // The table the stored topics write, with its key: a duplicate id of a topic is refused.
      await first.db.run('INSERT INTO notifications (topic, id, ms, seq, event, data, sender, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['user:a', '5-0', 5, 0, 'message', '{}', null, 5])
      await expect(first.db.run('INSERT INTO notifications (topic, id, ms, seq, event, data, sender, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', ['user:a', '5-0', 5, 0, 'message', '{}', null, 5])).rejects.toThrow()
    }
    finally {
      await first.close()
    }
    const again = await openStore(location)
    try {
      expect(again.migration).toEqual({ applied: [], version: newest })
      expect(await again.db.get('SELECT topic, id, ms, seq FROM notifications')).toEqual({ topic: 'user:a', id: '5-0', ms: 5, seq: 0 })
    }
    finally {
      await again.close()
    }
  })

  it('migrates a database at the previous version with the newest migration only', async () => {
    const location = await newDatabase()
    // A previous release's schema: every migration but the newest.
    const db = await openDatabase(location)
    try {
      expect(await migrate(db, MIGRATIONS.slice(0, -1))).toEqual({ applied: versions.slice(0, -1), version: versions.at(-2) ?? 0 })
    }
    finally {
      await db.close()
    }
    const store = await openStore(location)
    try {
      expect(store.migration).toEqual({ applied: [newest], version: newest })
      expect(await appliedVersions(store)).toEqual(MIGRATIONS.map(m => m.version))
    }
    finally {
      await store.close()
    }
  })

  it('applies a version below the newest that is not recorded yet (two branches merged in either order)', async () => {
    const location = await newDatabase()
    const db = await openDatabase(location)
    try {
      // Every one but the one before the newest applied: only that one is applied now.
      const skipped = MIGRATIONS.at(-2)!
      await migrate(db, MIGRATIONS.filter(m => m !== skipped))
      expect(await migrate(db)).toEqual({ applied: [skipped.version], version: newest })
      expect(await migrate(db)).toEqual({ applied: [], version: newest })
    }
    finally {
      await db.close()
    }
  })

  it('refuses a list whose versions do not rise', async () => {
    const db = await openDatabase(await newDatabase())
    try {
      await expect(migrate(db, [MIGRATIONS[0]!, MIGRATIONS[0]!])).rejects.toThrow(/versions must rise/)
    }
    finally {
      await db.close()
    }
  })

  it('applies each migration once when two instances start at the same moment', async () => {
    const location = await newDatabase()
    const databaseUrl = location.dialect === 'sqlite' ? `file:${location.path}` : location.url
    // Two production servers on one database, started together: one migrates, the other waits for
    // its lock, then finds the schema current. Both come up healthy.
    const instances = await Promise.all([startInstance({ NUXT_NOTIFY_DATABASE_URL: databaseUrl }), startInstance({ NUXT_NOTIFY_DATABASE_URL: databaseUrl })])
    try {
      for (const instance of instances) expect(await (await fetch(`${instance.url}/api/health`)).json()).toMatchObject({ status: 'ok', store: 'up' })
      const migrated = instances.filter(instance => /Store: .*\(migrated: /.test(instance.logs()))
      expect(migrated).toHaveLength(1)
    }
    finally {
      await Promise.all(instances.map(instance => instance.stop()))
    }
    const store = await openStore(location)
    try {
      expect(store.migration.applied).toEqual([])
      expect(await appliedVersions(store)).toEqual(MIGRATIONS.map(m => m.version))
    }
    finally {
      await store.close()
    }
  })
})
