import type { InboxItem } from '#shared/types/notify'
import { isNewerEventId } from '#shared/utils/event-id'

/**
 * The signed-in user's inbox, one for the whole app (the header's unread count and the /inbox page
 * share it). Filled and kept live by plugins/inbox.client.ts; what was read is stored on the server.
 */
export function useInbox() {
  const items = useState<InboxItem[]>('inbox:items', () => [])
  const readUpTo = useState<string | null>('inbox:read-up-to', () => null)
  const unread = computed(() => items.value.filter(item => isNewerEventId(item.id, readUpTo.value)).length)

  async function markAllRead() {
    const newest = items.value[0]?.id
    if (!newest) return
    const answer = await $fetch<{ readUpTo: string }>('/api/inbox/read', { method: 'POST', body: { upTo: newest } })
    readUpTo.value = answer.readUpTo
  }

  return { items, readUpTo, unread, markAllRead }
}

/** A notification's text (one rule for the inbox and a push: shared/rules/notification-text.ts). */
export { notificationText } from '#shared/rules/notification-text'
