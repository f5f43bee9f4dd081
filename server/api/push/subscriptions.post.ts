import { authorizeOwnUser } from '#server/lib/access'
import { answerPrivately, badRequest, readJsonBody } from '#server/lib/http'
import { PUSH_BODY_LIMIT, endpointProblem, pushSubscriptionSchema } from '#server/lib/push'

/**
 * `POST /api/push/subscriptions`: stores this device for the signed-in user (session, or a subscriber
 * token for their own topic), with the browser's `PushSubscription.toJSON()` as the body. 201; 400
 * naming what was wrong, an endpoint that is not https to a public address among it.
 */
export default defineEventHandler(async (event) => {
  const { userId } = await authorizeOwnUser(event)
  const subscription = await readJsonBody(event, pushSubscriptionSchema, { limit: PUSH_BODY_LIMIT })
  const problem = await endpointProblem(subscription.endpoint, usePushConfig().allowHosts)
  if (problem) badRequest(problem, { field: 'endpoint' })
  await usePushSubscriptions().save(userId, subscription)
  answerPrivately(event, 'authorization', 'cookie')
  setResponseStatus(event, 201)
  return { endpoint: subscription.endpoint }
})
