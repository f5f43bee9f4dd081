import type { IdempotencyRecord, IdempotencyRequest } from '#shared/types/idempotency'
import { createHash } from 'node:crypto'
import type { H3Event } from 'h3'
import { getRequestHeader } from 'h3'
import type { PublishInput } from '#shared/types/notify'
import type { Publisher } from '#server/lib/access'
import { refuse } from '#server/lib/http'

/** 1-128 visible ASCII characters (no space, no control character). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,128}$/

/**
 * The `Idempotency-Key` header of a publish, or undefined when there is none; 400 naming it when
 * it is not 1-128 visible characters.
 */
export function readIdempotencyKey(event: H3Event): string | undefined {
  const key = getRequestHeader(event, 'idempotency-key')
  if (key === undefined) return undefined
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) refuse('idempotency-key.invalid', 'Idempotency-Key: must be 1 to 128 visible ASCII characters (no spaces).', { header: 'Idempotency-Key' })
  return key
}

/** Keys are per publisher: the admin token is one; a publisher token is its subject. */
export function publisherScope(publisher: Publisher): string {
  return publisher.admin ? 'admin' : `token:${publisher.sub ?? ''}`
}

/** The body a key was used with, as a short hash (the body itself is not kept twice). */
export function bodyHashOf(body: PublishInput): string {
  return createHash('sha256').update(JSON.stringify([body.topic, body.event, body.data])).digest('base64url')
}

/** Where keys of topics that are not stored live: in Redis with the bus, else in this process. */
export interface IdempotencyKeyStore {
  /**
   * Takes the key for this publish (`claimed`), or tells what it was used for: a finished publish's
   * record, or the body hash of one still under way (`pending`).
   */
  claim(request: IdempotencyRequest): Promise<{ claimed: true } | { claimed: false, record?: IdempotencyRecord, pendingHash?: string }>
  /** The publish went through: the key now answers with its id for 24 hours. */
  complete(request: IdempotencyRequest, record: IdempotencyRecord): Promise<void>
  /** The publish failed: the key is free again (a retry publishes). */
  release(request: IdempotencyRequest): Promise<void>
  close(): Promise<void>
}
