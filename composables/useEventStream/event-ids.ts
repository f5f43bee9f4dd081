import { compareEventIds as compareOrders, parseEventId } from '../../shared/utils/event-id'

/** Plain integer ids, as many other SSE servers send: the one shape besides ours the composable orders. */
const INTEGER = /^\d{1,15}$/

/**
 * Orders two event ids when both have a known ordered shape (ours, `<ms>-<seq>`, which Redis streams
 * send too, or plain integers); undefined when they can't be compared. The SSE spec does not make
 * ids ordered, so the shared stream only relies on this to catch a joining tab up.
 */
export function compareEventIds(a: string, b: string): number | undefined {
  const orderA = parseEventId(a)
  const orderB = parseEventId(b)
  if (orderA && orderB) return compareOrders(orderA, orderB)
  if (INTEGER.test(a) && INTEGER.test(b)) return Number(a) - Number(b)
  return a === b ? 0 : undefined
}
