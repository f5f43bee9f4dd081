import type { InboxChange, InboxChangeSet, InboxCounts } from '#shared/types/inbox'
import { INBOX_CHANGE_MAX_IDS } from '#shared/utils/inbox'
import { compareEventIds, parseEventId } from '#shared/utils/event-id'

/**
 * The `inbox` event of one change: the ids, or past INBOX_CHANGE_MAX_IDS of them the newest one as
 * `upTo` (a read-all of a long inbox stays one small frame; what it reached is the same rule).
 */
export function inboxChange(ids: readonly string[], set: InboxChangeSet, at: number, counts: InboxCounts): InboxChange {
  const change: InboxChange = { ids: [...ids], set, at: new Date(at).toISOString(), counts }
  if (ids.length <= INBOX_CHANGE_MAX_IDS) return change
  const newest = ids.reduce((a, b) => (compareEventIds(parseEventId(a)!, parseEventId(b)!) >= 0 ? a : b))
  return { ...change, ids: [], upTo: newest }
}
