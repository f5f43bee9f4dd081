import type { H3Event } from 'h3'
import { setResponseHeader } from 'h3'
import { refuse } from '#server/lib/http'
import type { PublishInput } from '#shared/types/notify'
import type { Publisher } from '#server/lib/access'
import { type BusEvent, DuplicatePublish, type EventBus } from '#server/lib/broadcast'
import type { IdempotencyRecord, IdempotencyRequest } from '#shared/types/idempotency'
import { type IdempotencyKeyStore, bodyHashOf, publisherScope, readIdempotencyKey } from './idempotency'

/** Seconds a client is told to wait after a 503 (the bus or the store away): both recover in about that. */
const RETRY_AFTER_SECONDS = 2
/** A retry that meets its key's first publish still under way waits this long for it, then 409. */
const PENDING_WAIT_MS = 3000

/** What the route answers with: the event's id, and whether it was published before (a retry). */
export interface Published {
  id: string
  topic: string
  duplicate?: true
  /** The event published now (none for a retry's answer): what goes on to a push. */
  event?: BusEvent
}

/** What a stored topic keeps as the event's sender: a token's subject; the admin token names no one. */
export function senderOf(publisher: Publisher): string | null {
  return publisher.admin ? null : publisher.sub ?? null
}

const fresh = (event: BusEvent): Published => ({ id: event.id, topic: event.topic, event })

/** A retry's answer: the first publish's id for the same body, 422 for another, 409 while unknown. */
function answerDuplicate(request: IdempotencyRequest, record: IdempotencyRecord | undefined): Published {
  if (!record) {
    refuse('idempotency-key.in-progress', 'A publish with this Idempotency-Key is still under way; retry shortly.')
  }
  if (record.bodyHash !== request.bodyHash) {
    refuse('idempotency-key.reused', 'This Idempotency-Key was already used with another body; use a new key for a new event.')
  }
  return { id: record.eventId, topic: record.topic, duplicate: true }
}

/** A topic that is not stored: the key in Redis or memory, claimed before the publish, completed after it. */
async function publishOnce(bus: EventBus, body: PublishInput, sender: string | null, request: IdempotencyRequest, keys: IdempotencyKeyStore): Promise<Published> {
  const deadline = Date.now() + PENDING_WAIT_MS
  for (;;) {
    const claim = await keys.claim(request)
    if (claim.claimed) {
      let event: BusEvent
      try {
        event = await bus.publish(body, { sender })
      }
      catch (error) {
        await keys.release(request).catch(() => {})
        throw error
      }
      // The event is out: if the key can't be kept now, a retry may publish again (said in docs/api.md).
      await keys.complete(request, { bodyHash: request.bodyHash, topic: event.topic, eventId: event.id }).catch(() => {})
      return fresh(event)
    }
    if (claim.record) return answerDuplicate(request, claim.record)
    if (claim.pendingHash !== request.bodyHash) return answerDuplicate(request, { bodyHash: claim.pendingHash ?? '', topic: body.topic, eventId: '' })
    if (Date.now() > deadline) return answerDuplicate(request, undefined)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/**
 * The publish itself, after the route's checks: on the bus (through the store for a stored topic),
 * with its sender, at most once per Idempotency-Key; a 503 (Redis or the database away) carries
 * Retry-After.
 */
export async function publishEvent(event: H3Event, bus: EventBus, body: PublishInput, publisher: Publisher, keys: () => IdempotencyKeyStore): Promise<Published> {
  const key = readIdempotencyKey(event)
  const sender = senderOf(publisher)
  try {
    if (!key) return fresh(await bus.publish(body, { sender }))
    const request: IdempotencyRequest = { scope: publisherScope(publisher), key, bodyHash: bodyHashOf(body) }
    if (!bus.isStored?.(body.topic)) return await publishOnce(bus, body, sender, request, keys())
    try {
      return fresh(await bus.publish(body, { sender, idempotency: request }))
    }
    catch (error) {
      if (error instanceof DuplicatePublish) return answerDuplicate(request, error.record)
      throw error
    }
  }
  catch (error) {
    if ((error as { statusCode?: number })?.statusCode === 503) setResponseHeader(event, 'retry-after', RETRY_AFTER_SECONDS)
    throw error
  }
}
