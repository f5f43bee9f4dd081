import { z } from 'zod'
import { readSessionUser } from '#server/lib/access'
import { markReadUpTo } from '#server/lib/inbox'
import { answerPrivately, badRequest, readJsonBody } from '#server/lib/http'
import { EVENT_ID_PATTERN } from '#shared/utils/event-id'
import { userTopic } from '#shared/utils/notify'

/** `{"upTo":"<id>"}`: well under a hundred bytes. */
const READ_BODY_LIMIT = 1024

const readSchema = z.strictObject({ upTo: z.string().regex(EVENT_ID_PATTERN, 'must be an event id') })

/** `POST /api/inbox/read` `{ upTo }`: marks every notification up to that id read ("mark all read"). */
export default defineEventHandler(async (event): Promise<{ readUpTo: string }> => {
  const user = await readSessionUser(event)
  if (!user) throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: 'Sign in to mark your inbox read.' })
  // JSON only: a form on a sibling subdomain (same-site, so the session cookie goes along) must not change it.
  const body = await readJsonBody(event, readSchema, { limit: READ_BODY_LIMIT })
  // Only an event of their own inbox: a made-up id (`999999999999999-1`) would mark every future one read for good.
  const { events } = await useBroadcastHub().bus.recent(userTopic(user.id), useNotifyConfig().historySize)
  if (!events.some(item => item.id === body.upTo)) badRequest('"upTo" names no notification in your inbox.', { field: 'upTo' })
  answerPrivately(event, 'cookie')
  return { readUpTo: await markReadUpTo(user.id, body.upTo) }
})
