import { compareEventIds } from './event-ids'

/** One event as the leader got it from the server, raw, so each tab parses it with its own `parse`. */
export interface RelayedEvent {
  type: string
  data: string
  /** Only when the event carried its own `id:` (an id repeated from the last-event-id buffer is not one). */
  id?: string
}

/**
 * The events a tab saw lately, for two jobs: dropping one it already has (a relay that overlaps a
 * catch-up, a replay after a hand-off), and catching up a tab that joins later.
 */
export class RecentRelays {
  private list: RelayedEvent[] = []
  private ids = new Set<string>()
  /** Every event after this id is in `list`; undefined: only those since this tab started listening. */
  from: string | undefined

  constructor(private readonly limit = 500) {}

  reset(from: string | undefined) {
    this.list = []
    this.ids.clear()
    this.from = from
  }

  /** Marks an event as had without keeping it (a server-rendered one: this tab can't relay it). */
  see(type: string, id: string) {
    this.ids.add(seenKey(type, id))
  }

  /** Remembers it; false when it was already there. */
  add(event: RelayedEvent): boolean {
    if (event.id) {
      const key = seenKey(event.type, event.id)
      if (this.ids.has(key)) return false
      this.ids.add(key)
    }
    this.list.push(event)
    if (this.list.length > this.limit) {
      const dropped = this.list.shift()!
      if (dropped.id) {
        this.ids.delete(seenKey(dropped.type, dropped.id))
        this.from = dropped.id
      }
    }
    return true
  }

  /** The events after `since`, and whether that is surely all of them. */
  after(since: string): { events: RelayedEvent[], complete: boolean } {
    const index = this.list.findLastIndex(event => event.id === since)
    if (index >= 0) return { events: this.list.slice(index + 1), complete: true }
    // `since` is not an event this tab relayed (the newest id of another topic, a server render's
    // cursor): ordered ids tell which are newer, and whether memory reaches back that far.
    const first = this.list.findIndex(event => event.id !== undefined && (compareEventIds(event.id, since) ?? -1) > 0)
    const complete = this.from !== undefined && (compareEventIds(since, this.from) ?? -1) >= 0
    return { events: first < 0 ? [] : this.list.slice(first), complete }
  }
}

/**
 * By name and id: a `reset` carries the id of the newest event (which a tab may already have), and
 * must still reach each tab once.
 */
function seenKey(type: string, id: string): string {
  return `${type} ${id}`
}
