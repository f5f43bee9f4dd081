import type { PushSettings } from '#shared/types/push'
import { authenticateUser } from '#server/lib/access'

/** `GET /api/push/settings`: whether push is on here (and its public key), the user's switch and device count. */
export default defineEventHandler(async (event): Promise<PushSettings> => {
  const user = await authenticateUser(event)
  const { vapid } = usePushConfig()
  const subscriptions = usePushSubscriptions()
  const [enabled, devices] = await Promise.all([subscriptions.enabled(user.id), subscriptions.list(user.id)])
  return { available: !!vapid, publicKey: vapid?.publicKey ?? null, enabled, devices: devices.length }
})
