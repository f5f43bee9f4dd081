import type { InboxChangeSet, InboxCounts, InboxItem } from '#shared/types/inbox'
import { inStatus } from '#shared/utils/inbox'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'
import type { InboxQuery, InboxRepository, InboxTarget } from './repository'

/** A notification of the user's topic, as its source gives it. */
export interface SourceItem {
  id: string
  event: string
  data: unknown
  sender: string | null
  /** ms since the epoch. */
  at: number
}

interface ItemState { seenAt: number | null, readAt: number | null, archivedAt: number | null }

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
const EMPTY: ItemState = { seenAt: null, readAt: null, archivedAt: null }
const older = (id: string, than: string) => compareEventIds(parseEventId(id)!, parseEventId(than)!) < 0
const notNewer = (id: string, than: string) => compareEventIds(parseEventId(id)!, parseEventId(than)!) <= 0

/**
 * The inbox in this process's memory, over a source of the user's notifications (the live
 * history of their topic): for one instance and for tests, until the database holds them.
 */
export function createMemoryInboxRepository(source: (userId: string) => Promise<SourceItem[]>): InboxRepository {
  const states = new Map<string, Map<string, ItemState>>()
  const stateOf = (userId: string) => {
    let state = states.get(userId)
    if (!state) states.set(userId, state = new Map())
    return state
  }

  /** Every item of the user, newest first, with its state. */
  async function items(userId: string): Promise<InboxItem[]> {
    const state = stateOf(userId)
    const sourced = [...await source(userId)].sort((a, b) => compareEventIds(parseEventId(b.id)!, parseEventId(a.id)!))
    return sourced.map((item) => {
      const { seenAt, readAt, archivedAt } = state.get(item.id) ?? EMPTY
      return { id: item.id, event: item.event, data: item.data, sender: item.sender, at: new Date(item.at).toISOString(), seenAt: iso(seenAt), readAt: iso(readAt), archivedAt: iso(archivedAt) }
    })
  }

  function apply(userId: string, id: string, set: InboxChangeSet, at: number): boolean {
    const state = stateOf(userId)
    const before = state.get(id) ?? EMPTY
    const after = { ...before }
    if (set.seen || set.read) after.seenAt ??= at
    if (set.read !== undefined) after.readAt = set.read ? (before.readAt ?? at) : null
    if (set.archived !== undefined) after.archivedAt = set.archived ? (before.archivedAt ?? at) : null
    if (after.seenAt === before.seenAt && after.readAt === before.readAt && after.archivedAt === before.archivedAt) return false
    state.set(id, after)
    return true
  }

  return {
    async list(userId: string, query: InboxQuery) {
      const matching = (await items(userId)).filter(item => inStatus(item, query.status) && (!query.before || older(item.id, query.before)))
      const page = matching.slice(0, query.limit)
      return { items: page, next: matching.length > query.limit ? page.at(-1)!.id : null }
    },

    async counts(userId: string): Promise<InboxCounts> {
      const all = await items(userId)
      const current = all.filter(item => item.archivedAt === null)
      return { unread: current.filter(item => item.readAt === null).length, unseen: current.filter(item => item.seenAt === null).length, total: all.length }
    },

    async change(userId: string, target: InboxTarget, set: InboxChangeSet, at: number) {
      const known = (await items(userId)).map(item => item.id)
      let ids: readonly string[]
      if ('ids' in target) {
        const mine = new Set(known)
        if (!target.ids.every(id => mine.has(id))) return undefined
        ids = target.ids
      }
      else {
        ids = known.filter(id => notNewer(id, target.upTo))
      }
      return [...new Set(ids)].filter(id => apply(userId, id, set, at))
    },

    async readAll(userId: string, upTo: string | undefined, at: number) {
      const unread = (await items(userId)).filter(item => item.readAt === null && (!upTo || notNewer(item.id, upTo)))
      return unread.filter(item => apply(userId, item.id, { read: true }, at)).map(item => item.id)
    },
  }
}
