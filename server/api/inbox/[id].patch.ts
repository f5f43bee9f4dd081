import type { InboxChange } from '#shared/types/inbox'
import { EVENT_ID_PATTERN } from '#shared/utils/event-id'
import { authorizeOwnUser } from '#server/lib/access'
import { inboxPatchSchema, readInboxBody } from '#server/lib/inbox'
import { refusal } from '#server/lib/http'

/**
 * `PATCH /api/inbox/<id>` `{ read?, archived? }`: one item read or unread, archived or not. 404
 * for an id that is not one of the person's items, whoever's it is (no probing of others' ids).
 */
export default defineEventHandler(async (event): Promise<InboxChange> => {
  const { userId } = await authorizeOwnUser(event)
  const id = getRouterParam(event, 'id') ?? ''
  const set = await readInboxBody(event, inboxPatchSchema)
  const notFound = () => refusal('inbox.item-unknown', 'No such item in your inbox.')
  if (!EVENT_ID_PATTERN.test(id)) throw notFound()
  const at = Date.now()
  return withInbox(event, async (inbox) => {
    const changed = await inbox.change(userId, { ids: [id] }, set, at)
    if (!changed) throw notFound()
    return publishInboxChange(userId, changed, set, at)
  })
})
