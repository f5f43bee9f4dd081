import type { InboxChange, InboxCounts, InboxItem, InboxStatus } from '../types/inbox'
import { isNewerEventId } from './event-id'

/** The tabs, in the page's order; `unread` is the default of `GET /api/inbox`. */
export const INBOX_STATUSES = ['unread', 'all', 'archived'] as const satisfies readonly InboxStatus[]

/** `limit=` of `GET /api/inbox`: 1 to 100, 20 when absent. */
export const INBOX_MAX_LIMIT = 100
export const INBOX_DEFAULT_LIMIT = 20

/** At most this many ids in one `POST /api/inbox/seen`: a page's worth. */
export const INBOX_MAX_SEEN_IDS = INBOX_MAX_LIMIT

/** Above this many changed ids an `inbox` event says `upTo` instead of listing them (read-all). */
export const INBOX_CHANGE_MAX_IDS = INBOX_MAX_LIMIT

/** Whether an item belongs in a tab: the one rule of the server's queries and the page's lists. */
export function inStatus(item: Pick<InboxItem, 'readAt' | 'archivedAt'>, status: InboxStatus): boolean {
  if (status === 'archived') return item.archivedAt !== null
  return item.archivedAt === null && (status === 'all' || item.readAt === null)
}

/**
 * The item as a change leaves it (the same rule the server applied): reading marks seen too, and
 * a time already set is kept. An `upTo` change reaches every item up to that id.
 */
export function applyInboxChange(item: InboxItem, change: InboxChange): InboxItem {
  const reached = change.upTo ? !isNewerEventId(item.id, change.upTo) : change.ids.includes(item.id)
  if (!reached) return item
  const { set, at } = change
  const next = { ...item }
  if (set.seen || set.read) next.seenAt ??= at
  if (set.read !== undefined) next.readAt = set.read ? (item.readAt ?? at) : null
  if (set.archived !== undefined) next.archivedAt = set.archived ? (item.archivedAt ?? at) : null
  return next
}

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0

/**
 * Whether an `inbox` event's data is a change as the server sends it: the event name is also open
 * to any publisher of the topic, and the page must not take their data for the counts.
 */
export function isInboxChange(value: unknown): value is InboxChange {
  if (!value || typeof value !== 'object') return false
  const { ids, set, at, counts } = value as Partial<InboxChange>
  const countsOk = !!counts && typeof counts === 'object' && (['unread', 'unseen', 'total'] as const).every(key => isCount((counts as InboxCounts)[key]))
  return Array.isArray(ids) && ids.every(id => typeof id === 'string') && !!set && typeof set === 'object' && typeof at === 'string' && countsOk
}
