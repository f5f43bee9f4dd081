import type { EventStreamMessage } from 'h3'
import type { CountingPayload, DonePayload, MilestonePayload } from '#shared/types/notify'
import { countingMessage } from '#shared/utils/notify'
import { STREAM_EVENTS } from '../../../composables/useEventStream/stream-events'
import { refuse } from '#server/lib/http'

export const COUNTING_LIMITS = {
  count: { min: 1, max: 10_000, fallback: 200 },
  interval: { min: 10, max: 60_000, fallback: 200 },
} as const

/**
 * The number a (re)connecting client continues at, or `null` when it has already seen the last
 * one: the route then answers 204, which per the SSE spec stops the browser from reconnecting,
 * so the count never starts again at 1 after the end.
 */
export function resumeAt(lastEventId: string | undefined, total: number): number | null {
  if (lastEventId === undefined) return 1
  if (!/^\d{1,9}$/.test(lastEventId)) {
    refuse('last-event-id.invalid', 'Last-Event-ID must be the id of a counting message, an integer.', { parameter: 'lastEventId' })
  }
  const seen = Number(lastEventId)
  return seen >= total ? null : seen + 1
}

/** Message `n`, then `customEvent` after every 10th, then `done` after the last. */
export function countingFrames(n: number, total: number, now = new Date()): EventStreamMessage[] {
  const message: CountingPayload = { count: n, total, message: countingMessage(n), at: now.toISOString() }
  const frames: EventStreamMessage[] = [{ id: String(n), data: JSON.stringify(message) }]
  if (n % 10 === 0) {
    const milestone: MilestonePayload = { count: n, total }
    frames.push({ event: STREAM_EVENTS.milestone, data: JSON.stringify(milestone) })
  }
  if (n === total) {
    const done: DonePayload = { total }
    frames.push({ event: STREAM_EVENTS.done, data: JSON.stringify(done) })
  }
  return frames
}
