import type { Storage } from 'unstorage'
import { MAX_DEVICES_PER_USER, type PushSubscriptions, type StoredSubscription } from './subscriptions'

/**
 * The devices in a Nitro storage mount (memory, or Redis when the bus is: every instance sees them):
 * `devices:<user>` the user's list, `owner:<endpoint hash>` whose an endpoint is, `off:<user>` the switch.
 */
export function storageSubscriptions(storage: Storage): PushSubscriptions {
  const devicesKey = (userId: string) => `devices:${userId}`
  const ownerKey = async (endpoint: string) => `owner:${Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(endpoint))).toString('hex')}`
  const read = async (userId: string) => ((await storage.getItem<StoredSubscription[]>(devicesKey(userId))) ?? []).filter(isStored)
  const drop = async (userId: string, endpoint: string) => {
    const devices = await read(userId)
    const kept = devices.filter(device => device.endpoint !== endpoint)
    if (kept.length === devices.length) return false
    await storage.setItem(devicesKey(userId), kept)
    return true
  }

  return {
    async save(userId, subscription) {
      const owner = await ownerKey(subscription.endpoint)
      const previous = await storage.getItem<string>(owner)
      if (previous && previous !== userId) await drop(previous, subscription.endpoint)
      const device: StoredSubscription = { endpoint: subscription.endpoint, keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth }, expirationTime: subscription.expirationTime ?? null }
      const devices = [...(await read(userId)).filter(known => known.endpoint !== device.endpoint), device].slice(-MAX_DEVICES_PER_USER)
      await storage.setItem(devicesKey(userId), devices)
      await storage.setItem(owner, userId)
    },
    async remove(userId, endpoint) {
      const removed = await drop(userId, endpoint)
      if (removed) await storage.removeItem(await ownerKey(endpoint))
      return removed
    },
    async forget(userId, endpoint) {
      await drop(userId, endpoint)
      await storage.removeItem(await ownerKey(endpoint))
    },
    list: read,
    async enabled(userId) {
      return !(await storage.getItem<boolean>(`off:${userId}`))
    },
    async setEnabled(userId, enabled) {
      if (enabled) await storage.removeItem(`off:${userId}`)
      else await storage.setItem(`off:${userId}`, true)
    },
  }
}

function isStored(value: unknown): value is StoredSubscription {
  const device = value as StoredSubscription | null
  return typeof device?.endpoint === 'string' && typeof device.keys?.p256dh === 'string' && typeof device.keys.auth === 'string'
}
