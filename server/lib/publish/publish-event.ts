import type { H3Event } from 'h3'
import { setResponseHeader } from 'h3'
import type { PublishInput } from '#shared/types/notify'
import type { Publisher } from '#server/lib/access'
import type { BusEvent, EventBus } from '#server/lib/broadcast'

/** Seconds a client is told to wait after a 503 (the bus or the store away): both recover in about that. */
const RETRY_AFTER_SECONDS = 2

/** What a stored topic keeps as the event's sender: a token's subject; the admin token names no one. */
export function senderOf(publisher: Publisher): string | null {
  return publisher.admin ? null : publisher.sub ?? null
}

/**
 * The publish itself, after the route's checks: on the bus (through the store for a stored topic),
 * with its sender; a 503 (Redis or the database away) carries Retry-After.
 */
export async function publishEvent(event: H3Event, bus: EventBus, body: PublishInput, publisher: Publisher): Promise<BusEvent> {
  try {
    return await bus.publish(body, { sender: senderOf(publisher) })
  }
  catch (error) {
    if ((error as { statusCode?: number })?.statusCode === 503) setResponseHeader(event, 'retry-after', RETRY_AFTER_SECONDS)
    throw error
  }
}
