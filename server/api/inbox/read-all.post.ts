import type { InboxChange } from '#shared/types/inbox'
import { authorizeOwnUser } from '#server/lib/access'
import { inboxReadAllSchema, readInboxBody } from '#server/lib/inbox'

/** `POST /api/inbox/read-all` `{ upTo? }`: every unread item (up to that id, if given) marked read. */
export default defineEventHandler(async (event): Promise<InboxChange> => {
  const { userId } = await authorizeOwnUser(event)
  const { upTo } = await readInboxBody(event, inboxReadAllSchema)
  const at = Date.now()
  return withInbox(event, async inbox => publishInboxChange(userId, await inbox.readAll(userId, upTo, at), { read: true }, at))
})
