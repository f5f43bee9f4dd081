import type { BroadcastPayload, InboxState, ResetPayload } from '#shared/types/notify'
import { STREAM_EVENTS, userTopic } from '#shared/utils/notify'
import { notificationText } from '~/composables/useInbox'

/**
 * While someone is signed in, one stream of their own topic (`user:<id>`, granted by the session
 * cookie) feeds the inbox on every page: the recent notifications from GET /api/inbox first, then
 * live ones, resuming from the server's cursor so nothing falls between the two. A `reset` (history
 * gone) reloads the list. A notification that arrives while the tab is hidden also shows on the
 * desktop, if the person allowed it.
 */
export default defineNuxtPlugin(() => {
  const { loggedIn, user } = useUserSession()
  const { items, readUpTo } = useInbox()
  const { t } = useNuxtApp().$i18n
  const base = ref('')
  const stream = useEventStream<{ [STREAM_EVENTS.message]: BroadcastPayload, [STREAM_EVENTS.reset]: ResetPayload }>(base, {
    immediate: false,
    events: [STREAM_EVENTS.reset, STREAM_EVENTS.renew],
    reconnect: { retries: 10 },
  })

  async function load() {
    if (!user.value) return
    const state = await $fetch<InboxState>('/api/inbox')
    items.value = state.items
    readUpTo.value = state.readUpTo
    const topic = `topic=${encodeURIComponent(userTopic(user.value.id))}`
    base.value = `/api/notify/events?${topic}${state.cursor ? `&lastEventId=${encodeURIComponent(state.cursor)}` : ''}`
    stream.open()
  }

  let handled = 0
  watch(stream.history, (history) => {
    for (const entry of history) {
      if (entry.seq <= handled) continue
      handled = entry.seq
      if (entry.event === STREAM_EVENTS.reset) {
        void load()
        continue
      }
      const payload = entry.data
      if (entry.kind !== 'message' || !entry.lastEventId || !payload || typeof payload !== 'object') continue
      if (items.value.some(item => item.id === entry.lastEventId)) continue
      items.value = [{ id: entry.lastEventId, event: entry.event ?? 'message', data: payload.data, at: payload.at }, ...items.value]
      notifyDesktop(t('inbox.desktop.title'), notificationText(payload.data))
    }
  })

  watch(() => user.value?.id, (id) => {
    stream.close()
    items.value = []
    readUpTo.value = null
    if (id) void load().catch(() => {})
  }, { immediate: loggedIn.value })
})

function notifyDesktop(title: string, body: string) {
  if (document.visibilityState !== 'hidden' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  new Notification(title, { body, tag: 'inbox' })
}
