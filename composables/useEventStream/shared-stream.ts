import { compareEventIds } from './event-ids'
import type { EventStreamReason, EventStreamStatus } from './types'

/** One event as the leader got it from the server, raw, so each tab parses it with its own `parse`. */
export interface RelayedEvent {
  type: string
  data: string
  /** Only when the event carried its own `id:` (an id repeated from the last-event-id buffer is not one). */
  id?: string
}

/** The leader's connection state, mirrored by every other tab. */
export interface LeaderState {
  status: EventStreamStatus
  /** A lifecycle line to record as well (`close` reasons other than a leader leaving end every tab). */
  entry?: { kind: 'open' | 'error' | 'close', reason?: EventStreamReason }
}

type Message
  = | { t: 'event', event: RelayedEvent }
    | { t: 'state', state: LeaderState }
    | { t: 'hello' }
    | { t: 'join', tab: string, since?: string }
    | { t: 'catchup', tab: string, events: RelayedEvent[], status: EventStreamStatus }

export interface SharedStreamHooks {
  /** This tab now holds the lock: open the connection (from its own last id). */
  lead: () => void
  /** An event the leader relayed (or a catch-up's), in stream order. May be one this tab already has. */
  relayed: (event: RelayedEvent) => void
  /** The leader's status changed. */
  state: (state: LeaderState) => void
  /** This tab's last event id: where a leader must catch it up from. */
  position: () => string | undefined
  /** Leader only: a tab at `since` can't be caught up from memory: replay the stream from there. */
  rewind: (since: string) => void
  /** Leader only: the status to give a tab that joins. */
  status: () => EventStreamStatus
}

export interface SharedStream {
  readonly isLeader: boolean
  /** Leader: send an event (and remember it for tabs that join later). */
  relay: (event: RelayedEvent) => void
  /** Leader: send a status change. */
  announce: (state: LeaderState) => void
  /** Stop following, or hand the connection to the next tab. */
  leave: () => void
}

/** How long a joining tab holds back live relays while it waits for a leader's catch-up. */
const CATCH_UP_WAIT_MS = 1000

/** Web Locks (secure contexts only) and BroadcastChannel: where either is missing every tab connects itself. */
export function supportsSharedStream(): boolean {
  return typeof BroadcastChannel === 'function' && typeof navigator === 'object' && !!navigator?.locks
}

/**
 * The events a tab saw lately, for two jobs: dropping one it already has (a relay that overlaps a
 * catch-up, a replay after a hand-off), and catching up a tab that joins later.
 */
export class RecentEvents {
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

  /** Marks an id as had without keeping the event (a server-rendered one: this tab can't relay it). */
  see(id: string) {
    this.ids.add(id)
  }

  /** Remembers it; false when it was already there. */
  add(event: RelayedEvent): boolean {
    if (event.id) {
      if (this.ids.has(event.id)) return false
      this.ids.add(event.id)
    }
    this.list.push(event)
    if (this.list.length > this.limit) {
      const dropped = this.list.shift()!
      if (dropped.id) {
        this.ids.delete(dropped.id)
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
 * Joins the tabs of this browser that read stream `key`. The tab that gets the lock leads: it
 * holds the one connection and relays; the others wait in the lock's queue, so when the leader's
 * tab closes (the browser releases its locks) the next one takes over at once, from its own last id.
 */
export function joinSharedStream(key: string, recent: RecentEvents, hooks: SharedStreamHooks): SharedStream {
  const name = `use-event-stream:${key}`
  const tab = Math.random().toString(36).slice(2)
  const channel = new BroadcastChannel(name)
  const abort = new AbortController()
  let release: (() => void) | undefined
  let isLeader = false
  let left = false
  // Live relays held back until the leader's catch-up arrives, so they come after it, in order.
  let held: RelayedEvent[] | undefined
  let holdTimer: ReturnType<typeof setTimeout> | undefined

  const post = (message: Message) => {
    if (!left) channel.postMessage(message)
  }

  function stopHolding(catchUp: RelayedEvent[] = []) {
    clearTimeout(holdTimer)
    const live = held ?? []
    held = undefined
    for (const event of [...catchUp, ...live]) hooks.relayed(event)
  }

  function join() {
    held ??= []
    clearTimeout(holdTimer)
    holdTimer = setTimeout(stopHolding, CATCH_UP_WAIT_MS)
    post({ t: 'join', tab, since: hooks.position() })
  }

  channel.onmessage = ({ data: message }: MessageEvent<Message>) => {
    if (left) return
    if (isLeader) {
      // The tab that led before ended the stream for good (done, refused) as this one took over.
      if (message.t === 'state' && message.state.entry?.kind === 'close') return hooks.state(message.state)
      if (message.t !== 'join') return
      const since = message.since
      const catchUp = since ? recent.after(since) : { events: [], complete: true }
      post({ t: 'catchup', tab: message.tab, events: catchUp.events, status: hooks.status() })
      // Every tab drops what it already has, so replaying from the oldest position is safe.
      if (!catchUp.complete && since) hooks.rewind(since)
      return
    }
    switch (message.t) {
      case 'event':
        if (held) held.push(message.event)
        else hooks.relayed(message.event)
        break
      case 'state':
        hooks.state(message.state)
        break
      case 'hello':
        join()
        break
      case 'catchup':
        if (message.tab !== tab) break
        hooks.state({ status: message.status })
        stopHolding(message.events)
        break
    }
  }

  navigator.locks.request(name, { signal: abort.signal }, () => {
    if (left) return
    isLeader = true
    stopHolding()
    post({ t: 'hello' })
    hooks.lead()
    return new Promise<void>((resolve) => {
      release = resolve
    })
  }).catch(() => {
    // Aborted while waiting in the queue: this tab left before its turn.
  })
  join()

  return {
    get isLeader() {
      return isLeader
    },
    relay(event) {
      post({ t: 'event', event })
    },
    announce(state) {
      post({ t: 'state', state })
    },
    leave() {
      if (left) return
      left = true
      clearTimeout(holdTimer)
      held = undefined
      abort.abort()
      release?.()
      channel.close()
    },
  }
}
