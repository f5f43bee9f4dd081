import type { PushSubscriptionJson } from '#shared/types/push'
import { z } from 'zod'

/** The largest body of the push routes: a PushSubscription is well under 1 KB (an endpoint at most 2 KB). */
export const PUSH_BODY_LIMIT = 4096

const base64url = /^[\w-]+={0,2}$/

/** Bytes a base64url string decodes to (padding tolerated), or -1 when it is not base64url. */
function decodedLength(value: string): number {
  if (!base64url.test(value)) return -1
  return Buffer.from(value.replace(/=+$/, ''), 'base64url').byteLength
}

/**
 * The browser's `PushSubscription.toJSON()` as it comes: the endpoint, `expirationTime` (null or ms),
 * and the keys the payload is encrypted for: `p256dh`, an uncompressed P-256 point (65 bytes), and
 * `auth`, 16 bytes (RFC 8291). Unknown fields are dropped.
 */
/** A URL has no control characters (and PostgreSQL's text takes no NUL). */
const endpointString = () => z.string({ error: 'must be a string (the push service URL)' })
  .min(1, { error: 'must not be empty' })
  .max(2048, { error: 'must be at most 2048 characters' })
  .refine(value => ![...value].some(char => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7F), { error: 'must not contain control characters' })

export const pushSubscriptionSchema = z.object({
  endpoint: endpointString(),
  expirationTime: z.number({ error: 'must be null or a number of ms' }).int({ error: 'must be null or a number of ms' }).nonnegative({ error: 'must be null or a number of ms' }).nullable().optional(),
  keys: z.object({
    p256dh: z.string({ error: 'must be a string' })
      .refine(value => decodedLength(value) === 65 && Buffer.from(value, 'base64url')[0] === 4, { error: 'must be a base64url P-256 public key (65 bytes, uncompressed)' }),
    auth: z.string({ error: 'must be a string' })
      .refine(value => decodedLength(value) === 16, { error: 'must be a base64url secret of 16 bytes' }),
  }, { error: 'must be an object with "p256dh" and "auth"' }),
}, { error: 'must be a PushSubscription JSON object' }) satisfies z.ZodType<PushSubscriptionJson>

export const endpointBodySchema = z.object({
  endpoint: endpointString(),
}, { error: 'must be a JSON object with "endpoint"' })

export const pushSettingsBodySchema = z.object({
  enabled: z.boolean({ error: 'must be true or false' }),
}, { error: 'must be a JSON object with "enabled"' })
