/**
 * Event ids of this app have the shape of Redis stream ids, `<ms>-<seq>`, on every bus (the in-memory
 * one too): ids from an earlier boot of a process then sort before every id of this one, so a client
 * that comes back after a restart is told to reset instead of silently missing events. The one
 * definition of that shape, for the server (buses, hub, routes), the client and the tests; the
 * composable imports it by a relative path, so it stays free of Nuxt.
 */
export type EventId = readonly [ms: number, seq: number]

/** An id as sent on the wire: two runs of at most 15 digits (exact in a double), nothing else. */
export const EVENT_ID_PATTERN = /^(\d{1,15})-(\d{1,15})$/

export function parseEventId(id: string): EventId | undefined {
  const match = EVENT_ID_PATTERN.exec(id)
  return match ? [Number(match[1]), Number(match[2])] : undefined
}

export function formatEventId([ms, seq]: EventId): string {
  return `${ms}-${seq}`
}

/** Negative when a comes first, positive when b does, 0 when equal. */
export function compareEventIds(a: EventId, b: EventId): number {
  return a[0] - b[0] || a[1] - b[1]
}

/**
 * True when event id `a` comes after `b`; an absent (or malformed) `b` is older than everything.
 * For the client (what is unread); a malformed `a` is never newer.
 */
export function isNewerEventId(a: string, b: string | null | undefined): boolean {
  const than = b ? parseEventId(b) : undefined
  if (!than) return true
  const id = parseEventId(a)
  return !!id && compareEventIds(id, than) > 0
}
