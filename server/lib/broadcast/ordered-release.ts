import type { BusEvent } from './bus'
import { compareEventIds } from '#shared/utils/event-id'

/**
 * Puts events that arrive from several Redis masters back into one id order before anyone sees them.
 *
 * Each source (one master's connection) reports a watermark: a time, in ms, below which it has
 * nothing more to send (the master's clock, read by every event it stamps and by ticks; events on one
 * connection come in the order they were stamped). An event is released once every source's watermark
 * has passed its millisecond, so what is released is always in id order, and once released nothing
 * with a smaller id can follow. `frontier` is that point: every event with `ms < frontier` of the
 * topics held here has been released, every later one will be.
 */
export class OrderedRelease {
  private readonly held: BusEvent[] = []
  private readonly heldIds = new Set<string>()
  private readonly watermarks = new Map<string, number>()
  private released = 0

  constructor(private readonly release: (event: BusEvent) => void) {}

  /** Every event with a millisecond below this has been released; it never goes back. */
  get frontier(): number {
    return this.released
  }

  /** The millisecond of the oldest event waiting, if any. */
  get waitingSince(): number | undefined {
    return this.held[0]?.order[0]
  }

  get waiting(): number {
    return this.held.length
  }

  /** Sources whose watermark keeps the frontier at or below `ms`. */
  sourcesAtOrBelow(ms: number): string[] {
    return [...this.watermarks].filter(([, mark]) => mark <= ms).map(([source]) => source)
  }

  /** Adds an event; false when it is already released or waiting (the same event read twice). */
  offer(event: BusEvent): boolean {
    if (event.order[0] < this.released || this.heldIds.has(event.id)) return false
    let at = this.held.length
    // Events mostly arrive in order: look for the place from the end.
    while (at > 0 && compareEventIds(this.held[at - 1]!.order, event.order) > 0) at--
    this.held.splice(at, 0, event)
    this.heldIds.add(event.id)
    this.flush()
    return true
  }

  /** A source joins (watermark 0 holds everything until it reports) or moves its watermark forward. */
  mark(source: string, ms: number): void {
    const current = this.watermarks.get(source)
    if (current !== undefined && current >= ms) return
    this.watermarks.set(source, ms)
    this.flush()
  }

  /** A source that has nothing to send any more (no topic held there) stops holding the others back. */
  forget(source: string): void {
    if (this.watermarks.delete(source)) this.flush()
  }

  has(source: string): boolean {
    return this.watermarks.has(source)
  }

  private flush() {
    let lowest = Infinity
    for (const mark of this.watermarks.values()) lowest = Math.min(lowest, mark)
    if (lowest === Infinity) {
      // No source left: no topic is held here any more, so what waits has no subscriber either.
      this.held.length = 0
      this.heldIds.clear()
      return
    }
    if (lowest > this.released) this.released = lowest
    let count = 0
    while (count < this.held.length && this.held[count]!.order[0] < this.released) count++
    if (count === 0) return
    const ready = this.held.splice(0, count)
    for (const event of ready) {
      this.heldIds.delete(event.id)
      this.release(event)
    }
  }
}
