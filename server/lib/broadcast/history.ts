import type { ResetPayload } from '#shared/types/notify'
import type { EventId } from '#shared/utils/event-id'
import { compareEventIds } from '#shared/utils/event-id'

/** What every bus keeps for Last-Event-ID replay, per topic: at most `size` events, none older than `maxAgeMs`. */
export interface HistoryLimits {
  /** Events kept per topic. */
  size: number
  maxAgeMs: number
  /** Memory bus: events kept across all topics; past it the oldest events, whatever their topic, go first. */
  maxEvents?: number
}

/**
 * Why a client that last saw `seen` can't be replayed to, if it can't: an id that is not of this
 * stream (unparseable, or newer than the newest), or events after it already trimmed from history.
 * Every bus decides it the same way; only how it knows `newest` and `trimmedUpTo` differs.
 */
export function replayGap(seen: EventId | undefined, newest: EventId, trimmedUpTo: EventId): ResetPayload['reason'] | undefined {
  if (!seen || compareEventIds(seen, newest) > 0) return 'unknown-id'
  if (compareEventIds(seen, trimmedUpTo) < 0) return 'history-expired'
  return undefined
}
