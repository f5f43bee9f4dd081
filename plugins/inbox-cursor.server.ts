import type { InboxPage } from '#shared/types/inbox'
import { INBOX_CURSOR_STATE } from '~/composables/useInbox'

/**
 * A signed-in render hands the client the point its inbox stream resumes from, so the header's
 * stream opens as the page starts (with the page's own consumers: one union connect on a first
 * load), not only after a round trip to GET /api/inbox. Anything published after it comes on the
 * stream; the list that loads next dedupes it by id.
 */
export default defineNuxtPlugin(async () => {
  const { loggedIn } = useUserSession()
  if (!loggedIn.value) return
  const cursor = useState<string | null | undefined>(INBOX_CURSOR_STATE, () => undefined)
  try {
    cursor.value = (await useRequestFetch()<InboxPage>('/api/inbox', { query: { limit: 1 } })).cursor
  }
  catch {
    // The client then reads it itself (GET /api/inbox), as without a server render.
  }
})
