import type { InboxPage } from '#shared/types/inbox'
import { userTopic } from '#shared/utils/notify'
import { authorizeOwnUser } from '#server/lib/access'
import { inboxQuerySchema } from '#server/lib/inbox'
import { answerPrivately, readValidatedQuery } from '#server/lib/http'

/**
 * `GET /api/inbox?status=unread|all|archived&before=<id>&limit=<1..100>`: one page of the
 * person's inbox, newest first, the counts, the `before=` of the next page, and the stream's
 * resume point (read first: an item published meanwhile comes again on the stream, never not at all).
 */
export default defineEventHandler(async (event): Promise<InboxPage> => {
  const query = await readValidatedQuery(event, inboxQuerySchema)
  const { userId } = await authorizeOwnUser(event)
  const { newestId } = await useBroadcastHub().bus.recent(userTopic(userId), 1)
  const [page, counts] = await withInbox(event, inbox => Promise.all([inbox.list(userId, query), inbox.counts(userId)]))
  answerPrivately(event, 'cookie', 'authorization')
  return { ...page, counts, cursor: newestId ?? null }
})
