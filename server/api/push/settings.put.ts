import type { PushSettings } from '#shared/types/push'
import { authenticateUser } from '#server/lib/access'
import { badRequest } from '#server/lib/http'
import { pushSettingsBodySchema } from '#server/lib/push'
import { readJsonBody } from '#server/lib/publish'

/** `PUT /api/push/settings` `{ enabled }`: the user's switch; off, nothing is pushed to any of their devices. */
export default defineEventHandler(async (event): Promise<PushSettings> => {
  const user = await authenticateUser(event)
  const parsed = pushSettingsBodySchema.safeParse(await readJsonBody(event, useNotifyConfig().bodyLimitBytes))
  if (!parsed.success) badRequest(parsed.error.issues[0]!.message, { field: 'enabled' })
  const subscriptions = usePushSubscriptions()
  await subscriptions.setEnabled(user.id, parsed.data.enabled)
  const { vapid } = usePushConfig()
  return { available: !!vapid, publicKey: vapid?.publicKey ?? null, enabled: parsed.data.enabled, devices: (await subscriptions.list(user.id)).length }
})
