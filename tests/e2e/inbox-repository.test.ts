import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type InboxRepository, type SourceItem, createMemoryInboxRepository, createSqlInboxRepository } from '#server/lib/inbox'
import { type NotifyStore, openStore, parseDatabaseUrl } from '#server/lib/store'
import { type PostgresServer, startPostgres } from '../support/postgres'

/**
 * One contract for every place the inbox keeps its state: in memory, in a real SQLite file, on a
 * real PostgreSQL server (its own, started here). The SQL ones read their items from the
 * `notifications` table as the store writes it; rows are put there directly.
 */
let postgres: PostgresServer
const dir = mkdtempSync(join(tmpdir(), 'notify-inbox-repository-'))
const stores: NotifyStore[] = []

beforeAll(async () => {
  postgres = await startPostgres()
})
afterAll(async () => {
  await Promise.all(stores.map(store => store.close()))
  await postgres?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

interface Kept {
  repository: InboxRepository
  /** Puts a notification of `user:<user>` where the repository reads its items. */
  add: (user: string, item: SourceItem) => Promise<void>
}

async function sqlKept(url: string): Promise<Kept> {
  const store = await openStore(parseDatabaseUrl(url))
  stores.push(store)
  return {
    repository: createSqlInboxRepository(work => store.track(work)),
    add: async (user, item) => {
      const [ms, seq] = item.id.split('-').map(Number)
      await store.db.run('INSERT INTO notifications (topic, id, ms, seq, event, data, sender, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [`user:${user}`, item.id, ms!, seq!, item.event, JSON.stringify(item.data), item.sender, item.at])
    },
  }
}

const places: Array<[string, () => Promise<Kept>]> = [
  ['memory', async () => {
    const items = new Map<string, SourceItem[]>()
    return {
      repository: createMemoryInboxRepository(async user => items.get(user) ?? []),
      add: async (user, item) => {
        items.set(user, [...(items.get(user) ?? []), item])
      },
    }
  }],
  ['SQLite', () => sqlKept(`file:${join(dir, 'inbox.sqlite')}`)],
  ['PostgreSQL', async () => sqlKept(await postgres.createDatabase('inbox_repository'))],
]

describe.each(places)('the inbox kept in %s', (_, open) => {
  let kept: Kept
  beforeAll(async () => {
    kept = await open()
  })
  let clock = 1_750_000_000_000
  /** `count` notifications of `user`, oldest first, one ms apart; their ids. */
  async function notify(user: string, count: number): Promise<string[]> {
    const ids: string[] = []
    for (let n = 0; n < count; n++) {
      const at = ++clock
      const id = `${at}-${n % 3}`
      await kept.add(user, { id, event: n % 2 ? 'alert' : 'message', data: { text: `${user} ${n}`, n }, sender: n % 2 ? 'backend' : null, at })
      ids.push(id)
    }
    return ids
  }

  it('pages newest first by the cursor, each item once, with what was published', async () => {
    const ids = await notify('pia', 7)
    const { repository } = kept
    const first = await repository.list('pia', { status: 'all', limit: 3 })
    expect(first.items.map(item => item.id)).toEqual(ids.slice(-3).reverse())
    expect(first.items[0]).toEqual({ id: ids[6], event: 'message', data: { text: 'pia 6', n: 6 }, sender: null, at: new Date(Number(ids[6]!.split('-')[0])).toISOString(), seenAt: null, readAt: null, archivedAt: null })
    expect(first.items[1]).toMatchObject({ event: 'alert', sender: 'backend' })
    const second = await repository.list('pia', { status: 'all', limit: 3, before: first.next! })
    const third = await repository.list('pia', { status: 'all', limit: 3, before: second.next! })
    expect([...first.items, ...second.items, ...third.items].map(item => item.id)).toEqual([...ids].reverse())
    expect(third.next).toBeNull()
    expect(await repository.counts('pia')).toEqual({ unread: 7, unseen: 7, total: 7 })
    expect(await repository.counts('nobody')).toEqual({ unread: 0, unseen: 0, total: 0 })
  })

  it('changes only what it changes, answers those ids, and refuses another person\'s ids', async () => {
    const [a, b, c, d] = await notify('uma', 4) as [string, string, string, string]
    const [other] = await notify('otto', 1) as [string]
    const { repository } = kept
    const at = 1_760_000_000_000
    expect(await repository.change('uma', { ids: [a] }, { read: true }, at)).toEqual([a])
    expect(await repository.change('uma', { ids: [a] }, { read: true }, at + 1)).toEqual([])
    expect(await repository.change('uma', { ids: [a, other] }, { read: false }, at)).toBeUndefined()
    expect(await repository.change('uma', { ids: ['1-1'] }, { seen: true }, at)).toBeUndefined()
    const [readItem] = (await repository.list('uma', { status: 'all', limit: 100 })).items.filter(item => item.id === a)
    expect(readItem).toMatchObject({ readAt: new Date(at).toISOString(), seenAt: new Date(at).toISOString(), archivedAt: null })

    expect(await repository.change('uma', { ids: [b] }, { archived: true, read: true }, at)).toEqual([b])
    expect((await repository.list('uma', { status: 'archived', limit: 10 })).items.map(item => item.id)).toEqual([b])
    expect((await repository.list('uma', { status: 'unread', limit: 10 })).items.map(item => item.id)).toEqual([d, c])
    expect(await repository.counts('uma')).toEqual({ unread: 2, unseen: 2, total: 4 })

    expect(await repository.change('uma', { upTo: c }, { seen: true }, at)).toEqual([c])
    expect(await repository.counts('uma')).toEqual({ unread: 2, unseen: 1, total: 4 })
    expect(await repository.change('uma', { ids: [a] }, { read: false }, at)).toEqual([a])
    // Unread again, still seen.
    expect((await repository.list('uma', { status: 'unread', limit: 10 })).items.find(item => item.id === a)?.seenAt).toBe(new Date(at).toISOString())
    expect((await repository.readAll('uma', c, at)).sort()).toEqual([a, c].sort())
    expect(await repository.readAll('uma', undefined, at)).toEqual([d])
    expect(await repository.counts('uma')).toEqual({ unread: 0, unseen: 0, total: 4 })
    expect(await repository.change('uma', { ids: [b] }, { archived: false }, at)).toEqual([b])
    expect((await repository.list('uma', { status: 'archived', limit: 10 })).items).toEqual([])
    // Otto's item is untouched by all of it.
    expect((await repository.list('otto', { status: 'unread', limit: 10 })).items.map(item => [item.id, item.seenAt])).toEqual([[other, null]])
  })
})
