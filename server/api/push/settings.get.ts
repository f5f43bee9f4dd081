import type { PushSettings } from '#shared/types/push'
import { authorizeOwnUser } from '#server/lib/access'
import { answerPrivately } from '#server/lib/http'

/** `GET /api/push/settings`: whether push is on here (and its public key), the user's switch and device count. */
export default defineEventHandler(async (event): Promise<PushSettings> => {
  const { userId } = await authorizeOwnUser(event)
  answerPrivately(event, 'authorization', 'cookie')
  return pushSettingsOf(userId)
})
