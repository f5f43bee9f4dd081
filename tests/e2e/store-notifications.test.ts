import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type NotificationRow, type NotifyStore, openStore, parseDatabaseUrl, readStoreCounts } from '#server/lib/store'
import { type PostgresServer, startPostgres } from '../support/postgres'

/** The notifications log on a real SQLite file and a real PostgreSQL: group commit, reads in id order, the sweep. */
let postgres: PostgresServer
const dir = mkdtempSync(join(tmpdir(), 'notify-store-log-'))
let databases = 0

beforeAll(async () => {
  postgres = await startPostgres()
})

afterAll(async () => {
  await postgres?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const row = (topic: string, ms: number, seq: number, createdAt = ms): NotificationRow =>
  ({ topic, id: `${ms}-${seq}`, ms, seq, event: 'message', data: JSON.stringify({ ms, seq }), sender: seq % 2 ? 'alice' : null, created_at: createdAt })

describe.each([
  ['SQLite', async () => `file:${join(dir, `log-${++databases}.sqlite`)}`],
  ['PostgreSQL', async () => postgres.createDatabase(`log_${++databases}`)],
])('notifications on %s', (_, newDatabase) => {
  let store: NotifyStore
  beforeAll(async () => {
    store = await openStore(parseDatabaseUrl(await newDatabase()))
  })
  afterAll(async () => {
    await store?.close()
  })

  it('commits concurrent appends in groups and reads them back in id order, across topics', async () => {
    const before = readStoreCounts()
    const [writes, batches] = [before.writes, before.batches]
    const rows = Array.from({ length: 300 }, (_, i) => row(i % 3 ? 'user:a' : 'user:b', 1000 + Math.floor(i / 10), i % 10))
    await Promise.all(rows.map(r => store.notifications.append(r)))
    expect(readStoreCounts().writes - writes).toBe(300)
    // Concurrent appends share transactions: far fewer batches than rows.
    expect(readStoreCounts().batches - batches).toBeLessThan(30)
    const read = await store.notifications.after(['user:a', 'user:b'], [1005, 3], 1000)
    expect(read.map(r => r.id)).toEqual(rows.filter(r => r.ms > 1005 || (r.ms === 1005 && r.seq > 3)).map(r => r.id))
    expect(read[0]).toEqual(rows.find(r => r.id === '1005-4'))
    expect((await store.notifications.after(['user:b'], [0, 0], 5)).map(r => r.topic)).toEqual(Array(5).fill('user:b'))
    expect((await store.notifications.newest('user:a', 2)).map(r => r.id)).toEqual(['1029-8', '1029-9'])
    expect(await store.notifications.newestId()).toEqual([1029, 9])
  })

  it('sweeps what is past the retention in small batches, yielding between them, and nothing newer', async () => {
    const old = Array.from({ length: 1200 }, (_, i) => row('user:old', 5000 + i, 0, 10))
    await Promise.all(old.map(r => store.notifications.append(r)))
    await store.notifications.append(row('user:old', 9000, 0, Date.now()))
    const swept = readStoreCounts().swept
    let yields = 0
    const deleted = await store.notifications.sweep(Date.now() - 1000, async () => {
      yields++
      await new Promise(resolve => setImmediate(resolve))
    })
    expect(deleted).toBe(1200 + 300 /* the first test's rows, created at ms 1000-1029 */)
    expect(yields).toBeGreaterThanOrEqual(2)
    expect(readStoreCounts().swept - swept).toBe(1500)
    expect((await store.notifications.after(['user:old'], [0, 0], 10)).map(r => r.id)).toEqual(['9000-0'])
  })
})
