import type { RecentRelays, RelayedEvent } from './recent-relays'
import type { EventStreamReason, EventStreamStatus } from './types'

/** The leader's connection state, mirrored by every other tab. */
export interface LeaderState {
  status: EventStreamStatus
  /** A lifecycle line to record as well (`close` reasons other than a leader leaving end every tab). */
  entry?: { kind: 'open' | 'error' | 'close', reason?: EventStreamReason }
}

/**
 * What one consumer of a union stream asks for (see `unionKey` in protocol.ts): announced when it joins, kept by
 * every member, so whichever member leads next connects with the same union at once.
 */
export interface Want {
  topics: string[]
  /** Named events to listen to (EventSource only dispatches those it was told of). */
  events: string[]
  /** Its `heartbeat` option (ms): the leader watches for a stall at the shortest one asked for. */
  heartbeat?: number
  /** Its URL's `heartbeat` query value: the union asks for it when any member does. */
  heartbeatParam?: string
}

type Message
  = | { t: 'event', event: RelayedEvent }
    | { t: 'state', state: LeaderState }
    | { t: 'hello' }
    | { t: 'join', tab: string, since?: string, want?: Want }
    | { t: 'bye', tab: string }
    | { t: 'catchup', tab: string, events: RelayedEvent[], status: EventStreamStatus, position?: string }
    | { t: 'refused', tabs: string[], reason: 'unauthorized' | 'forbidden' }

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
  /** Union streams, leader only: the members' wants changed: reconnect (debounced) if the union did. */
  unionChanged?: () => void
  /** Union streams, leader only: whether the open connection already carries all of these topics. */
  covers?: (want: Want) => boolean
  /** Union streams: the leader's position, given to a member that joins without one of its own. */
  joinedAt?: (position: string | undefined) => void
  /** Union streams: the union was refused and this member is a suspect: it goes on a stream of its own. */
  refused?: (reason: 'unauthorized' | 'forbidden') => void
}

export interface SharedStream {
  readonly isLeader: boolean
  /** Leader: send an event (and remember it for tabs that join later). */
  relay: (event: RelayedEvent) => void
  /** Leader: send a status change. */
  announce: (state: LeaderState) => void
  /** Stop following, or hand the connection to the next tab. */
  leave: () => void
  /** Union streams: what every member wants together (this one included). */
  union: () => Want
  /** Union streams: other members this one knows of (a leader that knows some connects at once). */
  readonly others: number
  /**
   * Union streams, leader: the union was refused (401/403). The members that joined since the
   * union last opened (all of them when it never did) are suspects: each is sent to a stream of
   * its own, which gets its own answer; the rest stay. True when this member is a suspect itself.
   */
  refuse: (reason: 'unauthorized' | 'forbidden', openTopics: ReadonlySet<string> | undefined) => boolean
}

/** How long a joining tab holds back live relays while it waits for a leader's catch-up. */
const CATCH_UP_WAIT_MS = 1000

/** Every member's wants together: topics and event names sorted, the shortest heartbeat. */
export function mergeWants(wants: Iterable<Want>): Want {
  const topics = new Set<string>()
  const events = new Set<string>()
  let heartbeat: number | undefined
  let heartbeatParam: string | undefined
  for (const want of wants) {
    for (const topic of want.topics) topics.add(topic)
    for (const event of want.events) events.add(event)
    if (want.heartbeat && (!heartbeat || want.heartbeat < heartbeat)) heartbeat = want.heartbeat
    heartbeatParam ??= want.heartbeatParam
  }
  return { topics: [...topics].sort(), events: [...events].sort(), heartbeat, heartbeatParam }
}

/** Web Locks (secure contexts only) and BroadcastChannel: where either is missing every tab connects itself. */
export function supportsSharedStream(): boolean {
  return typeof BroadcastChannel === 'function' && typeof navigator === 'object' && !!navigator?.locks
}

/**
 * Joins the tabs of this browser that read stream `key`. The tab that gets the lock leads: it
 * holds the one connection and relays; the others wait in the lock's queue, so when the leader's
 * tab closes (the browser releases its locks) the next one takes over at once, from its own last id.
 * A member is one composable (a tab may hold several: the inbox plugin and the /live page).
 *
 * With `want` (a union stream) every member announces its topics in its join and every member keeps
 * the table, so the union survives a hand-off; the leader connects with the union, relays every
 * event, and each member keeps only its own topics (the composable filters).
 */
export function joinSharedStream(key: string, recent: RecentRelays, hooks: SharedStreamHooks, want?: Want): SharedStream {
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
  // Union streams: what each member wants, by member id (this one included).
  const members = new Map<string, Want>()
  if (want) members.set(tab, want)

  const post = (message: Message) => {
    if (!left) channel.postMessage(message)
  }

  function unionChanged() {
    if (want && isLeader) hooks.unionChanged?.()
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
    post({ t: 'join', tab, since: hooks.position(), want })
  }

  channel.onmessage = ({ data: message }: MessageEvent<Message>) => {
    if (left) return
    // Every member keeps the union's table: whoever leads next knows it.
    if (message.t === 'join' && message.want) {
      members.set(message.tab, message.want)
      unionChanged()
    }
    if (message.t === 'bye' && members.delete(message.tab)) unionChanged()
    if (message.t === 'refused') {
      for (const suspect of message.tabs) members.delete(suspect)
      if (message.tabs.includes(tab)) return hooks.refused?.(message.reason)
    }
    if (isLeader) {
      // The tab that led before ended the stream for good (done, refused) as this one took over.
      if (message.t === 'state' && message.state.entry?.kind === 'close') return hooks.state(message.state)
      if (message.t !== 'join') return
      const since = message.since
      const catchUp = since ? recent.after(since) : { events: [], complete: true }
      post({ t: 'catchup', tab: message.tab, events: catchUp.events, status: hooks.status(), position: hooks.position() })
      // Every tab drops what it already has, so replaying from the oldest position is safe. A member
      // that brings a topic the connection lacks needs that topic's events after its position: replay.
      const newTopics = message.want && hooks.covers && !hooks.covers(message.want)
      if (since && (!catchUp.complete || newTopics)) hooks.rewind(since)
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
        // A new leader: the table is rebuilt from the members that answer (a crashed tab's wants go).
        for (const member of [...members.keys()]) if (member !== tab) members.delete(member)
        join()
        break
      case 'catchup':
        if (message.tab !== tab) break
        hooks.state({ status: message.status })
        hooks.joinedAt?.(message.position)
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
    // The members' answers to the hello may change the union (a crashed tab's topics drop out).
    for (const member of [...members.keys()]) if (member !== tab) members.delete(member)
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
    get others() {
      return members.size - (want ? 1 : 0)
    },
    relay(event) {
      post({ t: 'event', event })
    },
    announce(state) {
      post({ t: 'state', state })
    },
    union: () => mergeWants(members.values()),
    refuse(reason, openTopics) {
      const proven = (member: Want) => !!openTopics && member.topics.every(topic => openTopics.has(topic))
      let suspects = [...members].filter(([, member]) => !proven(member)).map(([id]) => id)
      // Everything had opened before: a grant was lost (a session ended); nobody is proven now.
      if (!suspects.length) suspects = [...members.keys()]
      for (const suspect of suspects) members.delete(suspect)
      post({ t: 'refused', tabs: suspects, reason })
      unionChanged()
      return suspects.includes(tab)
    },
    leave() {
      if (left) return
      if (want) post({ t: 'bye', tab })
      left = true
      clearTimeout(holdTimer)
      held = undefined
      abort.abort()
      release?.()
      channel.close()
    },
  }
}
