import type { InboxChange } from '#shared/types/inbox'
import { authorizeOwnUser } from '#server/lib/access'
import { inboxSeenSchema, readInboxBody } from '#server/lib/inbox'
import { refuse } from '#server/lib/http'

/**
 * `POST /api/inbox/seen` `{ ids }` or `{ upTo }`: what the list showed is seen (the page sends the
 * ids it shows). 404 when one of `ids` is not the person's item.
 */
export default defineEventHandler(async (event): Promise<InboxChange> => {
  const { userId } = await authorizeOwnUser(event)
  const target = await readInboxBody(event, inboxSeenSchema)
  const at = Date.now()
  return withInbox(event, async (inbox) => {
    const changed = await inbox.change(userId, target, { seen: true }, at)
    if (!changed) refuse('inbox.item-unknown', 'One of these ids is no item of your inbox.')
    return publishInboxChange(userId, changed, { seen: true }, at)
  })
})
