import type { BusEvent } from '#server/lib/broadcast'
import { type PushConfig, type PushSender, type PushSubscriptions, createPushSender, readPushConfig, sqlSubscriptions } from '#server/lib/push'
import { isUserTopic } from '#server/lib/presence'
import { StoreUnavailable } from '#server/lib/store'
import { PUSH_OPENS_URL, type PushPayload, type PushSettings } from '#shared/types/push'
import { notificationText } from '#shared/rules/notification-text'

let config: PushConfig | undefined
let subscriptions: PushSubscriptions | undefined
let sender: PushSender | undefined

/**
 * Push's settings, read once (the VAPID keys, the hosts allowed though not public, the TTL). Off
 * without the keys, and without a store (the devices live in its database): on Workers, serverless
 * presets without PostgreSQL.
 */
export function usePushConfig(): PushConfig {
  if (config) return config
  const read = readPushConfig(useNotifyConfig())
  config = read.vapid && !hasNotifyStore() ? { ...read, vapid: undefined, problem: 'this build has no store for the devices (see the store\'s start-up line)' } : read
  return config
}

/** The users' devices and switches, in the store's database. */
export function usePushSubscriptions(): PushSubscriptions {
  return (subscriptions ??= sqlSubscriptions(() => useNotifyStore().catch((error: unknown) => {
    throw error instanceof StoreUnavailable
      ? createError({ statusCode: 503, statusMessage: 'Service Unavailable', message: 'The store (database) is not open yet or unreachable; retry shortly.' })
      : error
  })))
}

/** What `/api/push/settings` answers for `userId`. */
export async function pushSettingsOf(userId: string): Promise<PushSettings> {
  const { vapid } = usePushConfig()
  const subscriptions = usePushSubscriptions()
  const [enabled, devices] = await Promise.all([subscriptions.enabled(userId), subscriptions.list(userId)])
  return { available: !!vapid, publicKey: vapid?.publicKey ?? null, enabled, devices: devices.length }
}

function usePushSender(): PushSender | undefined {
  const { vapid } = usePushConfig()
  if (!vapid) return undefined
  return (sender ??= createPushSender({ ...usePushConfig(), vapid }, usePushSubscriptions()))
}

/**
 * After a publish was acknowledged: an event for `user:<id>` while that user has no stream open on
 * any instance (presence) goes to their devices by Web Push. Not awaited by the publish: nothing of
 * it slows the acknowledgement. When presence can't be read (Redis away) the push is sent: a
 * notification twice beats none.
 */
export function pushWhenAway(event: BusEvent): void {
  if (!isUserTopic(event.topic)) return
  const pushing = usePushSender()
  if (!pushing) return
  const userId = event.topic.slice('user:'.length)
  const payload: PushPayload = { id: event.id, text: notificationText(event.data), url: PUSH_OPENS_URL }
  void usePresence().streams(event.topic)
    .catch(() => 0)
    .then(streams => streams > 0 ? undefined : pushing.sendToUser(userId, payload))
}

/** Stops retries and closes the push agent (Nitro's `close`). */
export function closePush(): void {
  sender?.close()
  sender = undefined
}
