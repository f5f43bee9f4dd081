import type { InboxChange } from '#shared/types/inbox'
import type { BroadcastPayload, ResetPayload } from '#shared/types/notify'
import { isInboxChange } from '#shared/utils/inbox'
import { STREAM_EVENTS, userTopic } from '#shared/utils/notify'
import { INBOX_CURSOR_STATE, notificationText } from '~/composables/useInbox'

/**
 * While someone is signed in, one stream of their own topic (`user:<id>`, granted by the session
 * cookie) keeps the inbox live on every page: the counts and the list's first page from
 * GET /api/inbox, then from its cursor (nothing falls between the two) each new notification and
 * each `inbox` change made on another tab or device. A `reset` (history gone) reloads. A
 * notification that arrives while the tab is hidden also shows on the desktop, if the person
 * allowed it.
 */
export default defineNuxtPlugin(() => {
  const { loggedIn, user } = useUserSession()
  const inbox = useInbox()
  const { t } = useNuxtApp().$i18n
  const base = ref('')

  type Events = {
    [STREAM_EVENTS.message]: BroadcastPayload
    [STREAM_EVENTS.inbox]: BroadcastPayload<InboxChange>
    [STREAM_EVENTS.reset]: ResetPayload
  }
  const stream = useEventStream<Events>(base, {
    immediate: false,
    events: [STREAM_EVENTS.reset, STREAM_EVENTS.renew, STREAM_EVENTS.inbox],
    reconnect: { retries: 10 },
    // Every event once, bursts included, as it arrives.
    onEvent(entry) {
      if (entry.event === STREAM_EVENTS.reset) return void load()
      const payload = entry.data as BroadcastPayload | undefined
      if (!payload || typeof payload !== 'object') return
      if (entry.event === STREAM_EVENTS.inbox) {
        if (isInboxChange(payload.data)) inbox.apply(payload.data)
        return
      }
      if (entry.event !== STREAM_EVENTS.message || !entry.lastEventId) return
      inbox.receive({ id: entry.lastEventId, event: entry.event, data: payload.data, sender: null, at: payload.at, seenAt: null, readAt: null, archivedAt: null })
      notifyDesktop(t('inbox.desktop.title'), notificationText(payload.data))
    },
  })

  // Back after a drop: the stream replays the notifications missed (stored topics from the
  // database), but not the `inbox` changes made meanwhile (never stored): the counts and the list
  // are read again.
  let wasOpen = false
  watch(stream.status, (now, before) => {
    if (now !== 'open' || before === 'open') return
    if (wasOpen) void inbox.show().catch(() => {})
    wasOpen = true
  })

  // The resume point of the server's render, used once: the stream opens at once, the list loads beside it.
  const rendered = useState<string | null | undefined>(INBOX_CURSOR_STATE, () => undefined)

  function openFrom(userId: string, cursor: string | null) {
    const topic = `topic=${encodeURIComponent(userTopic(userId))}`
    base.value = `/api/notify/events?${topic}${cursor ? `&lastEventId=${encodeURIComponent(cursor)}` : ''}`
    stream.open()
  }

  async function load() {
    if (!user.value) return
    const userId = user.value.id
    const cursor = rendered.value
    rendered.value = undefined
    if (cursor !== undefined) {
      openFrom(userId, cursor)
      await inbox.show()
      return
    }
    const page = await inbox.show()
    openFrom(userId, page.cursor)
  }

  watch(() => user.value?.id, (id) => {
    stream.close()
    wasOpen = false
    inbox.clear()
    if (id) void load().catch(() => {})
  }, { immediate: loggedIn.value })
})

function notifyDesktop(title: string, body: string) {
  if (document.visibilityState !== 'hidden' || typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  new Notification(title, { body, tag: 'inbox' })
}
