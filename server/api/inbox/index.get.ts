import type { InboxState } from '#shared/types/notify'
import { userTopic } from '#shared/utils/notify'
import { readSessionUser } from '#server/lib/access'
import { readUpTo } from '#server/lib/inbox'
import { answerPrivately } from '#server/lib/http'

const INBOX_LIMIT = 100

/**
 * `GET /api/inbox`: the signed-in user's recent notifications (their own topic's history), newest
 * first, what they marked read, and the id to resume the live stream from.
 */
export default defineEventHandler(async (event): Promise<InboxState> => {
  const user = await readSessionUser(event)
  if (!user) throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: 'Sign in to read your inbox.' })
  const [recent, read] = await Promise.all([useBroadcastHub().bus.recent(userTopic(user.id), INBOX_LIMIT), readUpTo(user.id)])
  answerPrivately(event, 'cookie')
  return {
    items: recent.events.reverse().map(item => ({ id: item.id, event: item.event, data: item.data, at: new Date(item.at).toISOString() })),
    readUpTo: read,
    cursor: recent.newestId ?? null,
  }
})
