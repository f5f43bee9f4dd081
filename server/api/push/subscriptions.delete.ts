import { authorizeOwnUser } from '#server/lib/access'
import { answerPrivately, readJsonBody } from '#server/lib/http'
import { PUSH_BODY_LIMIT, endpointBodySchema } from '#server/lib/push'

/** `DELETE /api/push/subscriptions` `{ endpoint }`: this device no longer gets pushes. 204, also when it was not stored. */
export default defineEventHandler(async (event) => {
  const { userId } = await authorizeOwnUser(event)
  const { endpoint } = await readJsonBody(event, endpointBodySchema, { limit: PUSH_BODY_LIMIT })
  await usePushSubscriptions().remove(userId, endpoint)
  answerPrivately(event, 'authorization', 'cookie')
  setResponseStatus(event, 204)
  return null
})
