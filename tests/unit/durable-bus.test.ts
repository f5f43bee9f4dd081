import { DatabaseSync } from 'node:sqlite'
import { describe, expect, it, vi } from 'vitest'
import type { DurableStorage } from '../../server/lib/broadcast/durable-bus'
import { createDurableBus } from '../../server/lib/broadcast/durable-bus'
import type { ReplayResult } from '../../server/lib/broadcast/bus'

/**
 * The Durable Object's `ctx.storage.sql` is SQLite; here the same statements run on Node's own
 * SQLite (node:sqlite), a file shared by successive buses as the object's storage is shared by its
 * successive lives. Each `exec` runs at once, as in the object. In workerd itself the bus is checked
 * by `.ci/presets/check.ts cloudflare-durable` (replay across a `wrangler dev` restart included).
 */
function sqliteStorage(db = new DatabaseSync(':memory:')): DurableStorage & { db: DatabaseSync } {
  return {
    db,
    sql: {
      exec(query, ...bindings) {
        const rows = db.prepare(query).all(...(bindings as Array<string | number | null>)) as Record<string, string | number | null>[]
        return {
          toArray: () => rows,
          one: () => {
            if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`)
            return rows[0]!
          },
        }
      },
    },
    transactionSync(fn) {
      db.exec('BEGIN')
      try {
        const result = fn()
        db.exec('COMMIT')
        return result
      }
      catch (error) {
        db.exec('ROLLBACK')
        throw error
      }
    },
  }
}

const limits = { size: 10, maxAgeMs: 60_000 }
const publish = (bus: ReturnType<typeof createDurableBus>, topic: string, data: unknown = topic) =>
  bus.publish({ topic, event: 'message', data })
const ids = (result: ReplayResult) => ('events' in result ? result.events.map(event => event.id) : result)

describe('durable-object bus', () => {
  it('replays exactly the events of the asked topics after the id, frames byte for byte', async () => {
    const bus = createDurableBus(sqliteStorage(), limits)
    const first = await publish(bus, 'a')
    const events = [await publish(bus, 'b'), await publish(bus, 'a', { text: 'line1\nline2 — 好' }), await publish(bus, 'c'), await publish(bus, 'a')]
    const replay = await bus.replay(new Set(['a']), first.id)
    expect(ids(replay)).toEqual([events[1]!.id, events[3]!.id])
    const text = (frame?: Uint8Array) => new TextDecoder().decode(frame)
    const replayed = 'events' in replay ? replay.events[0] : undefined
    expect({ ...replayed, frame: text(replayed?.frame) }).toEqual({ ...events[1], frame: text(events[1]!.frame) })
    expect(ids(await bus.replay(new Set(['a', 'c']), events[1]!.id))).toEqual([events[2]!.id, events[3]!.id])
    expect(ids(await bus.replay(new Set(['a']), events[3]!.id))).toEqual([])
  })

  it('keeps history and the id sequence across a restart of the object (a new bus on the same storage)', async () => {
    const storage = sqliteStorage()
    const before = createDurableBus(storage, limits)
    const seen = await publish(before, 'a')
    const missed = await publish(before, 'a')
    await before.close()

    const after = createDurableBus(storage, limits)
    const next = await publish(after, 'a')
    expect(next.id.split('-')[0]).toBe(seen.id.split('-')[0])
    expect(ids(await after.replay(new Set(['a']), seen.id))).toEqual([missed.id, next.id])
    expect(after.publishedCount).toBe(1)
    expect(await after.historyInfo()).toEqual({ size: 3, oldestId: seen.id, newestId: next.id })
  })

  it('resets a client whose missed events were trimmed, also after a restart, and one with an id it never gave', async () => {
    const storage = sqliteStorage()
    const bus = createDurableBus(storage, { size: 3, maxAgeMs: 60_000 })
    const first = await publish(bus, 'a')
    for (let i = 0; i < 4; i++) await publish(bus, 'a')
    const newest = await publish(bus, 'a')
    expect(await bus.replay(new Set(['a']), first.id)).toMatchObject({ reset: { reason: 'history-expired' }, newestId: newest.id })
    expect((await bus.historyInfo()).size).toBe(3)

    const restarted = createDurableBus(storage, { size: 3, maxAgeMs: 60_000 })
    expect(await restarted.replay(new Set(['a']), first.id)).toMatchObject({ reset: { reason: 'history-expired' } })
    const [epoch, seq] = newest.id.split('-').map(Number)
    expect(await restarted.replay(new Set(['a']), `${epoch}-${seq! + 1}`)).toMatchObject({ reset: { reason: 'unknown-id' } })
    expect(await restarted.replay(new Set(['a']), 'not-an-id')).toMatchObject({ reset: { reason: 'unknown-id' } })
    // An id of another storage (or the memory bus of an earlier deploy): older epoch, so it missed events.
    expect(await restarted.replay(new Set(['a']), `${epoch! - 1}-5`)).toMatchObject({ reset: { reason: 'history-expired' } })
  })

  it('keeps history per topic: a busy topic does not push a quiet one out; maxEvents bounds them all', async () => {
    const bus = createDurableBus(sqliteStorage(), { size: 3, maxAgeMs: 60_000, maxEvents: 5 })
    const quietSeen = await publish(bus, 'quiet')
    const quiet = await publish(bus, 'quiet')
    const busy = [] as Awaited<ReturnType<typeof publish>>[]
    for (let i = 0; i < 3; i++) busy.push(await publish(bus, 'busy'))
    expect(ids(await bus.replay(new Set(['quiet']), quietSeen.id))).toEqual([quiet.id])
    expect(ids(await bus.replay(new Set(['quiet', 'busy']), quietSeen.id))).toEqual([quiet.id, ...busy.map(e => e.id)])
    expect((await bus.recent('busy', 2)).events.map(e => e.data)).toEqual(['busy', 'busy'])
    expect((await bus.recent('quiet', 10)).events.map(e => e.id)).toEqual([quietSeen.id, quiet.id])
    // A 4th busy event: busy's own limit drops its first, quiet keeps both.
    const fourth = await publish(bus, 'busy')
    expect(ids(await bus.replay(new Set(['busy']), busy[0]!.id))).toEqual([busy[1]!.id, busy[2]!.id, fourth.id])
    expect(await bus.replay(new Set(['busy']), quietSeen.id)).toMatchObject({ reset: { reason: 'history-expired' } })
    expect((await bus.recent('quiet', 10)).events.map(e => e.id)).toEqual([quietSeen.id, quiet.id])
    // A 6th event in all: the oldest of any topic (quiet's first) goes, and quiet's floor moves.
    await publish(bus, 'other')
    expect((await bus.recent('quiet', 10)).events.map(e => e.id)).toEqual([quiet.id])
    expect(ids(await bus.replay(new Set(['quiet']), quietSeen.id))).toEqual([quiet.id])
    const [epoch] = quietSeen.id.split('-')
    expect(await bus.replay(new Set(['quiet']), `${epoch}-0`)).toMatchObject({ reset: { reason: 'history-expired' } })
    expect((await bus.historyInfo()).size).toBe(5)
  })

  it('trims by age, and a publish that fails to store changes nothing', async () => {
    vi.useFakeTimers()
    try {
      const storage = sqliteStorage()
      const bus = createDurableBus(storage, { size: 100, maxAgeMs: 1000 })
      const old = await publish(bus, 'a')
      const kept = await publish(bus, 'a')
      vi.advanceTimersByTime(600)
      const fresh = await publish(bus, 'a')
      vi.advanceTimersByTime(600)
      expect(await bus.replay(new Set(['a']), old.id)).toMatchObject({ reset: { reason: 'history-expired' } })
      expect(ids(await bus.replay(new Set(['a']), kept.id))).toEqual([fresh.id])

      storage.db.exec('CREATE TRIGGER refuse BEFORE INSERT ON notify_events BEGIN SELECT RAISE(ABORT, \'disk full\'); END')
      await expect(publish(bus, 'a')).rejects.toThrow(/disk full/)
      storage.db.exec('DROP TRIGGER refuse')
      const after = await publish(bus, 'a')
      expect(ids(await bus.replay(new Set(['a']), fresh.id))).toEqual([after.id])
      expect(after.order[1]).toBe(fresh.order[1] + 1)
    }
    finally {
      vi.useRealTimers()
    }
  })
})
