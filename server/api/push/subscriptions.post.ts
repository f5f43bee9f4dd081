import { authenticateUser } from '#server/lib/access'
import { badRequest } from '#server/lib/http'
import { endpointProblem, pushSubscriptionSchema } from '#server/lib/push'
import { readJsonBody } from '#server/lib/publish'

/**
 * `POST /api/push/subscriptions`: stores this device for the signed-in user (session, or a subscriber
 * token for their own topic), with the browser's `PushSubscription.toJSON()` as the body. 201; 400
 * naming what was wrong, an endpoint that is not https to a public address among it.
 */
export default defineEventHandler(async (event) => {
  const user = await authenticateUser(event)
  const body = await readJsonBody(event, useNotifyConfig().bodyLimitBytes)
  const parsed = pushSubscriptionSchema.safeParse(body)
  if (!parsed.success) badRequest(parsed.error.issues[0]!.message, { field: parsed.error.issues[0]!.path.join('.') || undefined })
  const problem = await endpointProblem(parsed.data.endpoint, usePushConfig().allowHosts)
  if (problem) badRequest(problem, { field: 'endpoint' })
  await usePushSubscriptions().save(user.id, parsed.data)
  setResponseStatus(event, 201)
  return { endpoint: parsed.data.endpoint }
})
