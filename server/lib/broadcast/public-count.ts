import type { EventBus } from './bus'

/** A bus that also counts what was published to public topics. */
export type PublicCountingBus = EventBus & { readonly publicPublishedCount: number }

/**
 * Counts the events `bus` accepts for publishing whose topic is public (`isPublic`): the one publish
 * figure anyone may see. Counting every topic would let anyone watch a private one's activity (a
 * user's notifications) by polling the public stats. The bus is the same object, its `publish`
 * wrapped, so its getters (`publishedCount`...) stay live.
 */
export function countPublicPublishes(bus: EventBus, isPublic: (topic: string) => boolean): PublicCountingBus {
  let count = 0
  const publish = bus.publish.bind(bus)
  // The options go on as given: a stored topic's sender and Idempotency-Key, the inbox's `stored: false`.
  bus.publish = async (input, options) => {
    const event = await publish(input, options)
    if (isPublic(event.topic)) count++
    return event
  }
  return Object.defineProperty(bus, 'publicPublishedCount', { get: () => count }) as PublicCountingBus
}
