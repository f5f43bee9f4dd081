import type { MessageStream } from '#server/lib/sse'
import { setAlignedInterval } from '#server/lib/sse'
import { countingFrames } from './frames'

export interface CountingRun {
  /** The number this client starts at: 1, or the one after its Last-Event-ID. */
  first: number
  total: number
  intervalMs: number
}

/**
 * The counting stream: message n every `intervalMs` up to `total`, then the stream ends. Message
 * `first` goes out at once (with the retry hint, flushing the headers); the wait for the next is
 * rounded up to the shared tick grid, so the ticks of many streams fall in one event-loop turn.
 */
export function runCounting(stream: MessageStream, { first, total, intervalMs }: CountingRun): void {
  let next = first
  const pushNext = () => {
    if (next > total) return
    const n = next++
    if (!stream.push(countingFrames(n, total))) return
    if (n === total) stream.end()
  }
  stream.onClose(setAlignedInterval(pushNext, intervalMs))
  pushNext()
}
