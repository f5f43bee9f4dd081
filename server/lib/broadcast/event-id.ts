/**
 * Broadcast event ids have the shape of Redis stream ids, `<ms>-<seq>`, on the in-memory bus too:
 * ids from an earlier boot of the process then sort before every id of this one, so a client that
 * comes back after a restart is told to reset instead of silently missing events.
 */
export type EventId = readonly [ms: number, seq: number]

const EVENT_ID = /^(\d{1,15})-(\d{1,15})$/

export function parseEventId(id: string): EventId | undefined {
  const match = EVENT_ID.exec(id)
  return match ? [Number(match[1]), Number(match[2])] : undefined
}

export function formatEventId([ms, seq]: EventId): string {
  return `${ms}-${seq}`
}

/** Negative when a comes first, positive when b does, 0 when equal. */
export function compareEventIds(a: EventId, b: EventId): number {
  return a[0] - b[0] || a[1] - b[1]
}
