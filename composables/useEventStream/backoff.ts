import type { ReconnectPolicy } from './types'

export const DEFAULT_POLICY: Required<ReconnectPolicy> = { retries: 5, delay: 1000, maxDelay: 30_000 }

/**
 * Delay before reconnect attempt `failures` (1 = the first): exponential up to `maxDelay`, then
 * "equal jitter" (between half and all of it), so a restarted server is not met by every client at
 * the same instant.
 */
export function backoffDelay(failures: number, policy: Required<ReconnectPolicy>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelay, policy.delay * 2 ** Math.max(0, failures - 1))
  return ceiling / 2 + random() * ceiling / 2
}

/** Longest wait a `Retry-After` may ask for (1 hour): a bad header must not park a client for days. */
const MAX_RETRY_AFTER_MS = 60 * 60_000

/**
 * `Retry-After` in ms: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or
 * not understood. Never negative, never more than an hour.
 */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  const value = header.trim()
  let ms: number
  if (/^\d+$/.test(value)) ms = Number(value) * 1000
  // An IMF-fixdate has a weekday and a month name: without letters Date.parse would take "-5" as a year.
  else if (!/[a-z]/i.test(value)) return undefined
  else {
    const date = Date.parse(value)
    if (Number.isNaN(date)) return undefined
    ms = date - now
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms))
}
