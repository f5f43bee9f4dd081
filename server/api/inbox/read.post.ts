import { z } from 'zod'
import { readSessionUser } from '#server/lib/access'
import { markReadUpTo } from '#server/lib/inbox'
import { EVENT_ID_PATTERN } from '#shared/utils/event-id'

const readSchema = z.strictObject({ upTo: z.string().regex(EVENT_ID_PATTERN, 'must be an event id') })

/** `POST /api/inbox/read` `{ upTo }`: marks every notification up to that id read ("mark all read"). */
export default defineEventHandler(async (event): Promise<{ readUpTo: string }> => {
  const user = await readSessionUser(event)
  if (!user) throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message: 'Sign in to mark your inbox read.' })
  const body = await readValidatedBody(event, body => readSchema.safeParse(body))
  if (!body.success) throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: `"upTo" ${body.error.issues[0]?.message ?? 'is required'}.` })
  return { readUpTo: await markReadUpTo(user.id, body.data.upTo) }
})
