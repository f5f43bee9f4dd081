import type { InboxChange, InboxCounts, InboxItem, InboxPage, InboxPatch, InboxStatus } from '#shared/types/inbox'
import { isNewerEventId } from '#shared/utils/event-id'
import { INBOX_MAX_SEEN_IDS, applyInboxChange, inStatus } from '#shared/utils/inbox'

/** useState key of the stream's resume point a server render found (plugins/inbox-cursor.server.ts). */
export const INBOX_CURSOR_STATE = 'inbox:cursor'

const SEEN_BATCH_MS = 250
// One queue per tab, whichever component asks.
const seenQueue = new Set<string>()
const seenAsked = new Set<string>()
let seenTimer: ReturnType<typeof setTimeout> | undefined
// The stream's frame is one for every subscriber and names no sender; the first page does.
const SENDER_FILL_MS = 300
let senderTimer: ReturnType<typeof setTimeout> | undefined

/**
 * The signed-in person's inbox, one for the whole app: the header's badge (the server's unread
 * count) and the /inbox page's list of one tab (status) share it. Loaded and kept live by
 * plugins/inbox.client.ts: a new notification and every change made on another tab or device (the
 * `inbox` stream event) land here; what is read, seen and archived is kept by the server.
 */
export function useInbox() {
  const counts = useState<InboxCounts | null>('inbox:counts', () => null)
  const status = useState<InboxStatus>('inbox:status', () => 'unread')
  const items = useState<InboxItem[]>('inbox:items', () => [])
  /** The `before=` of the next older page, null when the list is complete. */
  const next = useState<string | null>('inbox:next', () => null)
  /** True once the list holds an answer of the server (false on the server's render and until the first answer: what hydration sees). */
  const loaded = useState('inbox:loaded', () => false)
  /** An older page is being loaded. */
  const loading = useState('inbox:loading', () => false)
  const unread = computed(() => counts.value?.unread ?? 0)
  /** How many notifications arrived on the stream since sign-in: what the page announces (politely, once). */
  const arrivals = useState('inbox:arrivals', () => 0)

  const query = (before?: string) => ({ status: status.value, ...(before ? { before } : {}) })

  /** Shows tab `to` from its newest item; answers the page (its `cursor`: where the stream resumes). */
  async function show(to: InboxStatus = status.value): Promise<InboxPage> {
    if (to !== status.value) {
      // Another tab: not the last one's items meanwhile.
      status.value = to
      items.value = []
      next.value = null
      loaded.value = false
    }
    const page = await $fetch<InboxPage>('/api/inbox', { query: query() })
    // What the stream brought while the page was on its way, newer than the page: not in it, nor in its counts.
    const inPage = new Set(page.items.map(item => item.id))
    const arrived = items.value.filter(item => !inPage.has(item.id) && item.readAt === null && isNewerEventId(item.id, page.cursor))
    // Another tab switch may have been asked for meanwhile: its answer is the one shown.
    if (status.value === to) {
      items.value = to === 'archived' ? page.items : [...arrived, ...page.items]
      next.value = page.next
      loaded.value = true
    }
    const { unread, unseen, total } = page.counts
    counts.value = { unread: unread + arrived.length, unseen: unseen + arrived.length, total: total + arrived.length }
    return page
  }

  async function loadOlder() {
    const before = next.value
    if (!before || loading.value) return
    loading.value = true
    try {
      const page = await $fetch<InboxPage>('/api/inbox', { query: query(before) })
      const known = new Set(items.value.map(item => item.id))
      items.value = [...items.value, ...page.items.filter(item => !known.has(item.id))]
      next.value = page.next
      counts.value = page.counts
    }
    finally {
      loading.value = false
    }
  }

  /** A change of this person's inbox, made here or on another tab or device: the counts, and the items in the list. */
  function apply(change: InboxChange) {
    counts.value = change.counts
    // Read or unread, an item stays where it is (so the toggle can be undone); archived or
    // restored, it leaves the tab it no longer belongs to.
    items.value = items.value.map(item => applyInboxChange(item, change))
      .filter(item => change.set.archived === undefined || inStatus(item, status.value))
  }

  /** A notification that just arrived on the stream (unread, unseen). */
  function receive(item: InboxItem) {
    if (items.value.some(known => known.id === item.id)) return
    arrivals.value++
    if (counts.value) counts.value = { unread: counts.value.unread + 1, unseen: counts.value.unseen + 1, total: counts.value.total + 1 }
    if (status.value !== 'archived') items.value = [item, ...items.value]
    if (item.sender === null) fillSenders()
  }

  /**
   * Who sent what just arrived: the stream's payload says no sender, so once a burst of arrivals
   * has settled (SENDER_FILL_MS) the first page is read again, once, and the senders it names are
   * filled in (only those: the counts and the list stay the stream's). A sender the server does
   * not know (the publish token names no one) stays unknown.
   */
  function fillSenders() {
    if (senderTimer) return
    senderTimer = setTimeout(async () => {
      senderTimer = undefined
      const page = await $fetch<InboxPage>('/api/inbox', { query: query() }).catch(() => undefined)
      const senders = new Map(page?.items.flatMap(known => known.sender ? [[known.id, known.sender] as const] : []))
      if (!senders.size) return
      items.value = items.value.map(item => item.sender === null && senders.has(item.id) ? { ...item, sender: senders.get(item.id)! } : item)
    }, SENDER_FILL_MS)
  }

  async function patch(id: string, body: InboxPatch) {
    apply(await $fetch<InboxChange>(`/api/inbox/${encodeURIComponent(id)}`, { method: 'PATCH', body }))
  }

  async function readAll() {
    const upTo = status.value === 'archived' ? undefined : items.value[0]?.id
    apply(await $fetch<InboxChange>('/api/inbox/read-all', { method: 'POST', body: upTo ? { upTo } : {} }))
  }

  /**
   * Marks `ids` seen, gathered for SEEN_BATCH_MS first: a burst of arrivals on an open list is one
   * request, not one each. Ids already asked for (answered or not) are not asked again.
   */
  function markSeen(ids: readonly string[]) {
    for (const id of ids) {
      if (!seenAsked.has(id)) seenQueue.add(id)
    }
    if (!seenQueue.size || seenTimer) return
    seenTimer = setTimeout(() => {
      seenTimer = undefined
      const batch = [...seenQueue].slice(0, INBOX_MAX_SEEN_IDS)
      for (const id of batch) {
        seenQueue.delete(id)
        seenAsked.add(id)
      }
      $fetch<InboxChange>('/api/inbox/seen', { method: 'POST', body: { ids: batch } })
        .then(apply, () => batch.forEach(id => seenAsked.delete(id)))
        .finally(() => {
          if (seenQueue.size) markSeen([])
        })
    }, SEEN_BATCH_MS)
  }

  function clear() {
    seenQueue.clear()
    seenAsked.clear()
    loaded.value = false
    counts.value = null
    items.value = []
    next.value = null
    arrivals.value = 0
  }

  return { counts, unread, arrivals, status, items, next, loaded, loading, show, loadOlder, apply, receive, patch, readAll, markSeen, clear }
}

/** A notification's text (one rule for the inbox and a push: shared/rules/notification-text.ts). */
export { notificationText } from '#shared/rules/notification-text'
