import type { PushSubscriptionJson } from '#shared/types/push'

/** One stored device of a user. */
export interface StoredSubscription {
  endpoint: string
  keys: { p256dh: string, auth: string }
  expirationTime: number | null
}

/** Where the users' push devices and switches are kept. */
export interface PushSubscriptions {
  /** Stores (or renews) a device; an endpoint is one device, of one user: it moves to whoever stored it last. */
  save(userId: string, subscription: PushSubscriptionJson): Promise<void>
  /** Removes one of `userId`'s devices; false when it was not theirs. */
  remove(userId: string, endpoint: string): Promise<boolean>
  /** Removes a device whoever it was of (its push service said it is gone: 404/410). */
  forget(userId: string, endpoint: string): Promise<void>
  list(userId: string): Promise<StoredSubscription[]>
  /** The user's switch: on unless they turned it off. */
  enabled(userId: string): Promise<boolean>
  setEnabled(userId: string, enabled: boolean): Promise<void>
}

/** Devices kept per user; past it the oldest goes (a browser that re-subscribes leaves its old endpoint behind). */
export const MAX_DEVICES_PER_USER = 20
