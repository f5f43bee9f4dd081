import type { ShallowRef } from 'vue'
import type { Connection } from './connection'
import { compareEventIds } from './event-ids'
import { afterPageLoad } from './page-load'
import type { StreamProtocol } from './protocol'
import { eventTopic, topicsOf, unionKey } from './protocol'
import type { RecentRelays, RelayedEvent } from './recent-relays'
import type { LeaderState, SharedStream, Want } from './shared-stream'
import { joinSharedStream } from './shared-stream'
import type { EventStreamStatus, EventStreamTransport } from './types'

/**
 * How long a leader waits for the members to stop changing before it (re)connects with the union:
 * a page that mounts two consumers (the inbox plugin and /live) opens one stream, not two in a row.
 */
export const UNION_DEBOUNCE_MS = 150

export interface SharedMemberOptions {
  /** The composable's URL, resolved. */
  url: URL
  transport: EventStreamTransport
  withCredentials: boolean
  /** False for a consumer with a token or headers of its own, or a refused union's suspect: identical URLs only. */
  mayUnite: boolean
  protocol: StreamProtocol
  parse: (raw: string, event: string) => unknown
  /** Named events and heartbeat interval this consumer asks for (a union listens to every member's). */
  events: readonly string[]
  heartbeat: number | false
  recent: RecentRelays
  lastEventId: ShallowRef<string | undefined>
  leader: ShallowRef<boolean>
  status: () => EventStreamStatus
  connection: Connection
  /** An event for this consumer: record it. */
  accept: (type: string, raw: string, id: string | undefined) => void
  /** Follower: the leader's status changed. */
  leaderState: (state: LeaderState) => void
  /** This consumer was a refused union's suspect: it goes on a stream of its own. */
  refused: () => void
}

export interface SharedMember {
  readonly isLeader: boolean
  /** A member of a union stream (topics), not only of identical URLs. */
  readonly isUnion: boolean
  /** Leader: an event of its own connection, relayed to the others and delivered here. */
  received: (event: RelayedEvent) => void
  /** Leader: tell the others of a status change. */
  announce: (state: LeaderState) => void
  /** Leader of a union: what its connection must carry (every member's topics, events, heartbeat). */
  wanted: () => Want | undefined
  /** Where the next connection starts when the group decides (a rewind, a union's position); else undefined. */
  from: (resume: boolean) => string | undefined
  /** The connection about to start carries `wanted`. */
  connecting: (wanted: Want | undefined) => void
  opened: () => void
  /** The connection was dropped. */
  detached: () => void
  /**
   * Leader: its connection was refused. `mine`: the refusal ends this consumer (not a union, or
   * nobody else in it); `suspect`: this consumer goes on a stream of its own; `others`: some members
   * were sent to streams of their own, and the union reconnects without them.
   */
  refuse: (reason: 'unauthorized' | 'forbidden') => 'mine' | 'suspect' | 'others'
  leave: () => void
}

const isNewer = (id: string, than: string | undefined) => !than || (compareEventIds(id, than) ?? 1) > 0
const wantKey = (want: Want) => JSON.stringify([want.topics, want.events, want.heartbeatParam, want.heartbeat])

/**
 * One consumer's part in the stream its browser shares (see shared-stream.ts for the tabs' group).
 * Every consumer of `unionKey` (same endpoint and other query parameters, same transport and cookie
 * credentials) is a member of one group whose leader subscribes to the union of their topics; any
 * other stream (the counting one, one with a token or headers of its own, a refused union's
 * suspect) is shared by identical URLs only. The leader's connection is the composable's
 * `Connection`; this decides what it carries, when it reconnects, and which events this consumer keeps.
 */
export function joinAsMember(options: SharedMemberOptions): SharedMember {
  const { protocol, recent, lastEventId, connection } = options
  // Tabs at different positions (each page's own cursor in the URL) still read one stream.
  const target = new URL(options.url.href)
  const union = options.mayUnite ? unionKey(target, options.transport, options.withCredentials, protocol) : undefined
  if (protocol.cursorParam) target.searchParams.delete(protocol.cursorParam)
  const key = union ?? target.href
  const want: Want | undefined = union
    ? {
        topics: [...new Set(topicsOf(target, protocol))],
        events: [...options.events],
        heartbeat: options.heartbeat || undefined,
        heartbeatParam: (protocol.heartbeatParam && target.searchParams.get(protocol.heartbeatParam)) || undefined,
      }
    : undefined
  const ownTopics = want && new Set(want.topics)
  // The newest id heard on the shared stream (any topic): where a leader resumes from.
  let streamPosition = lastEventId.value
  // Leader only: a joining tab was behind what this tab remembers; the next connect replays from there.
  let rewindTo: string | undefined
  // What the connection being opened carries, and what the last one that opened carried (a refused
  // union's members that were on it are proven).
  let connected: { key: string, topics: ReadonlySet<string> } | undefined
  let openTopics: ReadonlySet<string> | undefined
  // The one debounce of union (re)connects.
  let unionTimer: ReturnType<typeof setTimeout> | undefined
  // A first union leader waits for the page to load before it connects (see `lead`).
  let stopWaitingForPage: (() => void) | undefined
  recent.from = lastEventId.value
  options.leader.value = false

  /**
   * An event of the shared stream, once per tab (`fresh`). On a union stream only this consumer's
   * topics, and only after its own position: a topic added to the union replays that topic's
   * history after the union's position, which may be older than this consumer's cursor. Control
   * events without a topic (`reset`) reach every consumer once: whose topics they concern, it can't tell.
   */
  function deliver(event: RelayedEvent, fresh: boolean) {
    if (!ownTopics) {
      if (fresh) options.accept(event.type, event.data, event.id)
      return
    }
    if (event.id && isNewer(event.id, streamPosition)) streamPosition = event.id
    if (!fresh) return
    const topic = eventTopic(event, protocol, options.parse)
    if (topic !== undefined && (!ownTopics.has(topic) || (event.id && !isNewer(event.id, lastEventId.value)))) return
    options.accept(event.type, event.data, event.id)
  }

  const wanted = () => (want ? group.union() : undefined)

  /** Leader of a union: (re)connect once the members stopped changing, when the union is not what is open. */
  function scheduleConnect() {
    clearTimeout(unionTimer)
    if (stopWaitingForPage) return
    unionTimer = setTimeout(() => {
      const union = wanted()
      if (!union || !group.isLeader) return
      // A pending retry connects with the union as it is by then (no skipping the backoff).
      if (!union.topics.length || connection.waiting) return
      if (connection.connected && !rewindTo && connected?.key === wantKey(union)) return
      connection.connect()
    }, UNION_DEBOUNCE_MS)
  }

  function waitForPageLoad() {
    let waiting = true
    const stop = afterPageLoad(() => {
      waiting = false
      stopWaitingForPage = undefined
      scheduleConnect()
    })
    if (waiting) stopWaitingForPage = stop
  }

  const group: SharedStream = joinSharedStream(key, recent, {
    lead: () => {
      options.leader.value = true
      // A hand-off knows the union already: at once. A first leader waits for the other consumers
      // of the page (one connect, not two), until the page has loaded and then for the debounce,
      // when it resumes from a position, so waiting loses nothing; without one, every moment
      // waited would be events missed: at once too.
      if (!want || group.others || !streamPosition) connection.connect()
      else waitForPageLoad()
    },
    relayed: event => deliver(event, recent.add(event)),
    state: options.leaderState,
    position: () => (want ? streamPosition : lastEventId.value),
    rewind: (since) => {
      // A tab ahead of this one's own stream gets the rest from it anyway: never skip forward.
      const own = want ? streamPosition : lastEventId.value
      const ahead = own && (compareEventIds(since, own) ?? -1) >= 0
      const older = rewindTo && (compareEventIds(rewindTo, since) ?? 1) <= 0
      // A union still reconnects: the member may bring a topic the connection lacks.
      if (ahead || older) {
        if (want) scheduleConnect()
        return
      }
      rewindTo = since
      if (recent.from === undefined || (compareEventIds(since, recent.from) ?? 0) < 0) recent.from = since
      if (want) scheduleConnect()
      else connection.connect()
    },
    status: options.status,
    unionChanged: scheduleConnect,
    covers: other => !!connected && other.topics.every(topic => connected!.topics.has(topic)),
    // A consumer without a cursor of its own starts where the shared stream is: nothing older.
    joinedAt: (position) => {
      if (!want || !position) return
      lastEventId.value ??= position
      streamPosition ??= position
    },
    refused: options.refused,
  }, want)

  return {
    get isLeader() {
      return group.isLeader
    },
    isUnion: !!want,
    received(event) {
      // Relayed even when this tab had it: the tab that asked for a replay may not.
      const fresh = recent.add(event)
      group.relay(event)
      deliver(event, fresh)
    },
    announce(state) {
      if (group.isLeader) group.announce(state)
    },
    wanted,
    from: resume => rewindTo ?? (resume && want ? streamPosition : undefined),
    connecting(union) {
      connected = union && { key: wantKey(union), topics: new Set(union.topics) }
    },
    opened() {
      rewindTo = undefined
      openTopics = connected?.topics
    },
    detached() {
      clearTimeout(unionTimer)
      connected = undefined
    },
    refuse(reason) {
      if (!want || !group.isLeader || group.others === 0) return 'mine'
      connection.detach()
      if (group.refuse(reason, openTopics)) return 'suspect'
      scheduleConnect()
      return 'others'
    },
    leave() {
      stopWaitingForPage?.()
      stopWaitingForPage = undefined
      clearTimeout(unionTimer)
      group.leave()
    },
  }
}
