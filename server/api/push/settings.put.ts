import type { PushSettings } from '#shared/types/push'
import { authorizeOwnUser } from '#server/lib/access'
import { answerPrivately, readJsonBody } from '#server/lib/http'
import { PUSH_BODY_LIMIT, pushSettingsBodySchema } from '#server/lib/push'

/** `PUT /api/push/settings` `{ enabled }`: the user's switch; off, nothing is pushed to any of their devices. */
export default defineEventHandler(async (event): Promise<PushSettings> => {
  const { userId } = await authorizeOwnUser(event)
  const { enabled } = await readJsonBody(event, pushSettingsBodySchema, { limit: PUSH_BODY_LIMIT })
  await usePushSubscriptions().setEnabled(userId, enabled)
  answerPrivately(event, 'authorization', 'cookie')
  return pushSettingsOf(userId)
})
