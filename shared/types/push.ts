/**
 * Web Push: what the server sends a device, and what the page reads and sets of a user's push.
 * docs/push.md.
 */

/** The decrypted payload of one push: the notification's own text and where it lives, nothing more. */
export interface PushPayload {
  /** The event id: the notification's tag, so one event shows once per device. */
  id: string
  text: string
  /** What a click opens (or focuses). */
  url: string
}

/** `GET /api/push/settings`: whether this server can push, with what key, and this user's switch and devices. */
export interface PushSettings {
  /** The server has its VAPID keys: push is on. */
  available: boolean
  /** The VAPID public key (base64url) a browser subscribes with; null when push is off. */
  publicKey: string | null
  /** This user's switch (PUT /api/push/settings): off = nothing is pushed to any of their devices. */
  enabled: boolean
  /** Devices (push subscriptions) stored for this user. */
  devices: number
}

/** The browser's `PushSubscription.toJSON()`, as `POST /api/push/subscriptions` takes it. */
export interface PushSubscriptionJson {
  endpoint: string
  expirationTime?: number | null
  keys: { p256dh: string, auth: string }
}

/** Where a click on a pushed notification leads: the inbox. */
export const PUSH_OPENS_URL = '/inbox'

/** The service worker that shows pushes (public/push-sw.js), at the root so its scope is the whole app. */
export const PUSH_WORKER_URL = '/push-sw.js'
