import type { WebPushError } from 'web-push'
import type { PushPayload } from '#shared/types/push'
import { type PushResult, countPush } from '#server/lib/metrics'
import type { PushConfig } from './config'
import { publicOnlyAgent } from './endpoint'
import type { PushSubscriptions, StoredSubscription } from './subscriptions'

/** Tries per message: the first and this many minus one retries, on 429, 5xx or no answer. */
const MAX_ATTEMPTS = 4
const FIRST_BACKOFF_MS = 500
/** A Retry-After longer than this is not waited for: the message is dropped (the inbox still has it). */
const MAX_BACKOFF_MS = 30_000
const REQUEST_TIMEOUT_MS = 10_000
/** Messages in flight at once, over every user; the rest wait, at most MAX_WAITING of them, then are dropped. */
const MAX_IN_FLIGHT = 64
const MAX_WAITING = 10_000

export interface PushSender {
  /** Pushes `payload` to every device of `userId` (their switch on); settles when every try is over. Never throws. */
  sendToUser(userId: string, payload: PushPayload): Promise<void>
  /** Stops waiting retries and closes the agent's sockets. */
  close(): void
}

export type PushOutcome = PushResult

/**
 * Web Push through `web-push`: the payload encrypted for each device (RFC 8291, aes128gcm), signed
 * with the server's VAPID key (RFC 8292), with a TTL and an urgency. A device its push service
 * says is gone (404, 410) is removed; 429, 5xx and network failures are retried with backoff
 * (Retry-After when given), a bounded number of times.
 */
export function createPushSender(config: PushConfig & { vapid: NonNullable<PushConfig['vapid']> }, subscriptions: PushSubscriptions, onOutcome: (outcome: PushOutcome) => void = countPush): PushSender {
  const agent = publicOnlyAgent(config.allowHosts)
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let closed = false
  let inFlight = 0
  const waiting: Array<() => void> = []
  let droppedSince = 0

  /** Runs `send` when fewer than MAX_IN_FLIGHT are under way: a burst of publishes to users away opens no thousand sockets. */
  async function limited(send: () => Promise<PushOutcome>): Promise<PushOutcome> {
    if (inFlight < MAX_IN_FLIGHT) {
      inFlight++
    }
    else {
      if (waiting.length >= MAX_WAITING) {
        if (droppedSince++ === 0) console.warn(`[notify] push: ${MAX_WAITING} messages are waiting; dropping new ones until the queue drains`)
        return 'failed'
      }
      // The slot of the send that finishes is handed over as it is: inFlight never passes the cap.
      await new Promise<void>(resolve => waiting.push(resolve))
    }
    try {
      return await send()
    }
    finally {
      const next = waiting.shift()
      if (next) {
        next()
      }
      else {
        inFlight--
        droppedSince = 0
      }
    }
  }

  const wait = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      resolve()
    }, ms)
    timers.add(timer)
  })

  async function deliver(userId: string, device: StoredSubscription, body: string): Promise<PushOutcome> {
    if (closed) return 'failed'
    const webpush = await loadWebPush()
    for (let attempt = 1; ; attempt++) {
      try {
        await webpush.sendNotification(device, body, {
          vapidDetails: config.vapid,
          TTL: config.ttlSeconds,
          urgency: 'normal',
          contentEncoding: 'aes128gcm',
          agent,
          timeout: REQUEST_TIMEOUT_MS,
        })
        return 'sent'
      }
      catch (error) {
        const status = isWebPushError(error) ? error.statusCode : undefined
        if (status === 404 || status === 410) {
          await subscriptions.forget(userId, device.endpoint)
          return 'gone'
        }
        const retryable = status === undefined || status === 429 || status >= 500
        const backoff = retryAfterMs(error) ?? FIRST_BACKOFF_MS * 2 ** (attempt - 1)
        if (!retryable || attempt >= MAX_ATTEMPTS || closed || backoff > MAX_BACKOFF_MS) {
          // The endpoint is the device's address at its push service: not logged (it is as good as a credential).
          console.warn(`[notify] push: a message to a device was dropped after ${attempt} attempt(s) (${status ?? (error as Error).message})`)
          return 'failed'
        }
        await wait(backoff)
        if (closed) return 'failed'
      }
    }
  }

  return {
    async sendToUser(userId, payload) {
      try {
        if (closed || !(await subscriptions.enabled(userId))) return
        const devices = await subscriptions.list(userId)
        const body = JSON.stringify(payload)
        const outcomes = await Promise.all(devices.map(device => limited(() => deliver(userId, device, body))))
        for (const outcome of outcomes) onOutcome(outcome)
      }
      catch (error) {
        console.warn(`[notify] push: could not send (${(error as Error).message})`)
      }
    },
    close() {
      closed = true
      for (const resolve of waiting.splice(0)) resolve()
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      agent.destroy()
    },
  }
}

/** A push service's Retry-After (seconds, RFC 9110; a date is not used), in ms. */
function retryAfterMs(error: unknown): number | undefined {
  if (!isWebPushError(error)) return undefined
  const value = (error.headers as Record<string, string | string[] | undefined>)['retry-after']
  const seconds = Number(Array.isArray(value) ? value[0] : value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

/** An answer of the push service other than 2xx (web-push's WebPushError), not a network failure. */
function isWebPushError(error: unknown): error is WebPushError {
  // By shape, not by name: a minified build may rename the class.
  return error instanceof Error && typeof (error as WebPushError).statusCode === 'number' && 'endpoint' in error
}

let webPushModule: Promise<typeof import('web-push')> | undefined

/** web-push is loaded on the first push, not at start: a build where push is off never evaluates it. */
function loadWebPush(): Promise<typeof import('web-push')> {
  webPushModule ??= import('web-push').then(module => (module as { default?: typeof import('web-push') }).default ?? module)
  return webPushModule
}
