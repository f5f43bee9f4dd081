import { authenticateUser } from '#server/lib/access'
import { badRequest } from '#server/lib/http'
import { endpointBodySchema } from '#server/lib/push'
import { readJsonBody } from '#server/lib/publish'

/** `DELETE /api/push/subscriptions` `{ endpoint }`: this device no longer gets pushes. 204, also when it was not stored. */
export default defineEventHandler(async (event) => {
  const user = await authenticateUser(event)
  const parsed = endpointBodySchema.safeParse(await readJsonBody(event, useNotifyConfig().bodyLimitBytes))
  if (!parsed.success) badRequest(parsed.error.issues[0]!.message, { field: 'endpoint' })
  await usePushSubscriptions().remove(user.id, parsed.data.endpoint)
  setResponseStatus(event, 204)
  return null
})
