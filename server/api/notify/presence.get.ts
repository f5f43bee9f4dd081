import type { PresenceResult } from '#shared/types/notify'
import { NAME_PATTERN, NAME_RULE } from '#shared/utils/notify'
import { z } from 'zod'
import { authorizePresence } from '#server/lib/access'
import { answerPrivately, readValidatedQuery, refuse } from '#server/lib/http'
import { isUserTopic } from '#server/lib/presence'

const TOPIC_RULE = `Query parameter "topic" is required and ${NAME_RULE}.`
const presenceQuery = z.object({ topic: z.string({ error: TOPIC_RULE }).regex(NAME_PATTERN, { error: TOPIC_RULE }) })

/**
 * `GET /api/notify/presence?topic=user:alice`: is Alice online (a stream open on her own topic, on
 * any instance), and on how many streams; `?topic=room:x`: how many streams hold that topic. For an
 * operator, or a publisher whose token may publish to the topic: 401/403 before anything is read.
 */
export default defineEventHandler(async (event): Promise<PresenceResult> => {
  const { topic } = await readValidatedQuery(event, presenceQuery)
  await authorizePresence(event, topic)
  let streams: number
  try {
    streams = await usePresence().streams(topic)
  }
  catch {
    refuse('bus.unavailable', 'Presence is unavailable (Redis cannot be reached). Retry shortly.')
  }
  answerPrivately(event, 'authorization')
  return isUserTopic(topic) ? { topic, online: streams > 0, streams } : { topic, streams }
})
