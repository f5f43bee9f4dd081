import type { MaybeRefOrGetter } from 'vue'
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import { DEFAULT_POLICY } from './backoff'
import { createConnection } from './connection'
import type { LifecycleEntry } from './connection'
import { cursorOf, parseJsonOrText, resolveProtocol, streamUrl } from './protocol'
import { RecentRelays } from './recent-relays'
import type { SharedMember } from './shared-member'
import { joinAsMember } from './shared-member'
import type { LeaderState } from './shared-stream'
import { supportsSharedStream } from './shared-stream'
import { STREAM_EVENTS } from './stream-events'
import type {
  EventMap,
  EventStreamEntry,
  EventStreamPayloadEntry,
  EventStreamReason,
  EventStreamStatus,
  UseEventStreamOptions,
  UseEventStreamReturn,
} from './types'

export type * from './types'
export { parseJsonOrText }

/** Connecting, open, retrying or waiting for the network: a stream the person asked for, which `toggle()` would close. */
export function isStreamActive(status: EventStreamStatus): boolean {
  return status === 'connecting' || status === 'open' || status === 'reconnecting' || status === 'offline'
}

/** Reasons that end the stream in every tab (a leader that merely leaves hands over instead). */
const TERMINAL: ReadonlySet<EventStreamReason> = new Set(['done', 'gave-up', 'unauthorized', 'forbidden'])

/** What `record` is given: an entry without the fields it assigns itself. */
interface NewEntry {
  kind: EventStreamEntry['kind']
  event?: string
  data?: unknown
  lastEventId?: string
  reason?: EventStreamReason
  /** Defaults to now. */
  at?: number
}

/**
 * Reactive Server-Sent Events with a full history and a reconnect policy, in the style of VueUse's
 * `useEventSource` but without its gaps: every message is kept (not only the last); `status` says
 * `reconnecting` while retrying and `offline` without network; SSR renders exactly what the
 * client's first render does; a `done` event ends the stream; one connection per browser is shared
 * by all its tabs; a silent connection is noticed; 401/403 are reported, not retried; an expiring
 * token is renewed without a gap. Plain Vue 3: every import is explicit. The server's query names
 * and payload fields are options (`topicParam`, `topicField`, `cursorParam`, ...) with ours as defaults.
 *
 * The parts: connection.ts (this tab's own connection and its reconnect state machine),
 * shared-member.ts and shared-stream.ts (one stream shared by the tabs of a browser), protocol.ts
 * (the server's query names and payload fields). This file holds the state and wires them.
 */
export function useEventStream<M extends EventMap = Record<string, unknown>>(
  url: MaybeRefOrGetter<string>,
  options: UseEventStreamOptions<M> = {},
): UseEventStreamReturn<M> {
  const {
    immediate = true,
    events = [],
    parse = parseJsonOrText,
    withCredentials = false,
    historyLimit = 500,
    doneEvent = STREAM_EVENTS.done,
    resume = true,
    shared = true,
    token,
    renewEvent = STREAM_EVENTS.renew,
    heartbeat = false,
    heartbeatEvent = STREAM_EVENTS.heartbeat,
    pauseWhenHidden = false,
    onEvent,
  } = options
  const protocol = resolveProtocol(options)
  const transportKind = options.transport ?? (token || options.headers ? 'fetch' : 'eventsource')
  const policy = options.reconnect === false
    ? { ...DEFAULT_POLICY, retries: 0 }
    : { ...DEFAULT_POLICY, ...(typeof options.reconnect === 'object' ? options.reconnect : {}) }

  type Entry = EventStreamEntry<M>
  const status = shallowRef<EventStreamStatus>('idle')
  const data = shallowRef<UseEventStreamReturn<M>['data']['value']>()
  const lastEventId = shallowRef<string | undefined>(options.seed?.lastEventId ?? undefined)
  const error = shallowRef<Event>()
  const history = shallowRef<Entry[]>([])
  const leader = shallowRef(true)
  const connection = shallowRef<UseEventStreamReturn<M>['connection']['value']>()

  let seq = 0
  // The stream this consumer shares with the browser's other tabs and consumers, while it does.
  let member: SharedMember | undefined
  // A refused union's suspect reads a stream of its own until its URL changes.
  let standAlone = false
  // What a following tab last heard from the leader.
  let leaderStatus: EventStreamStatus = 'connecting'
  const recent = new RecentRelays()

  function record(entry: NewEntry): Entry {
    const recorded = { ...entry, at: entry.at ?? Date.now(), seq: ++seq } as Entry
    // A new array each time, so components that take `history` as a prop re-render too.
    const list = [...history.value, recorded]
    history.value = list.length > historyLimit ? list.slice(list.length - historyLimit) : list
    return recorded
  }

  function accept(type: string, raw: string, id: string | undefined, at?: number) {
    const payload = parse(raw, type)
    if (id) lastEventId.value = id
    const kind = type === 'message' ? 'message' : 'event'
    if (kind === 'message') data.value = payload as typeof data.value
    const entry = record({ kind, event: type, data: payload, lastEventId: id, at })
    onEvent?.(entry as EventStreamPayloadEntry<M>)
    if (type === doneEvent) finish('done')
  }

  for (const event of options.seed?.events ?? []) {
    if (event.id) recent.see(event.event, event.id)
    record({ kind: event.event === 'message' ? 'message' : 'event', event: event.event, data: event.data, lastEventId: event.id, at: event.at })
    if (event.event === 'message') data.value = event.data as typeof data.value
  }
  recent.from = lastEventId.value

  function setStatus(next: EventStreamStatus, entry?: LifecycleEntry) {
    status.value = next
    if (entry) record(entry)
    member?.announce({ status: next, entry })
  }

  const stream = createConnection({
    transport: transportKind,
    token,
    policy,
    heartbeatEvent,
    renewEvent,
    error,
    connection,
    heartbeatMs: () => {
      const wanted = member?.wanted()
      return wanted ? wanted.heartbeat : heartbeat
    },
    request: (accessToken) => {
      const useFetch = transportKind === 'fetch'
      const wanted = member?.wanted()
      member?.connecting(wanted)
      const from = member?.from(resume) ?? (resume ? lastEventId.value : undefined)
      const headers: Record<string, string> = { ...toValue(options.headers ?? {}) }
      if (accessToken && useFetch) headers.authorization = `Bearer ${accessToken}`
      if (from && useFetch && protocol.lastEventIdHeader) headers['last-event-id'] = from
      return {
        url: streamUrl(toValue(url), { topics: wanted?.topics, heartbeat: wanted?.heartbeatParam, from, accessToken: useFetch ? undefined : accessToken }, protocol),
        headers,
        withCredentials,
        events: [...new Set([...events, ...(wanted?.events ?? []), doneEvent, renewEvent, heartbeatEvent])].filter((name): name is string => !!name),
      }
    },
    opened: () => {
      member?.opened()
      setStatus('open', { kind: 'open' })
    },
    event: (type, raw, id) => {
      if (member) member.received({ type, data: raw, id })
      else accept(type, raw, id)
    },
    status: setStatus,
    ended: (reason) => {
      if (reason === 'gave-up') record({ kind: 'error', reason })
      finish(reason)
    },
    refused: refuse,
    detached: () => member?.detached(),
  })

  /**
   * 401/403. A union's refusal is not every consumer's: its suspects (those that joined since the
   * union last opened) each go to a stream of their own, which gets its own answer; the others stay
   * on the union, which the leader reopens without them.
   */
  function refuse(reason: 'unauthorized' | 'forbidden') {
    const outcome = member?.refuse(reason) ?? 'mine'
    if (outcome === 'suspect') return standAloneAfterRefusal()
    if (outcome === 'others') return setStatus('reconnecting', { kind: 'error', reason: 'retrying' })
    record({ kind: 'error', reason })
    finish(reason)
  }

  function standAloneAfterRefusal() {
    stream.detach()
    leaveGroup()
    standAlone = true
    status.value = 'idle'
    open()
  }

  function leaveGroup() {
    member?.leave()
    member = undefined
    leader.value = true
  }

  function finish(reason: EventStreamReason, next: EventStreamStatus = 'closed') {
    const wasActive = isStreamActive(status.value)
    // A union's refusal is this consumer's alone (see refuse): the next member leads without its topics.
    const ends = TERMINAL.has(reason) && !(member?.isUnion && (reason === 'unauthorized' || reason === 'forbidden'))
    member?.announce(ends ? { status: 'closed', entry: { kind: 'close', reason } } : { status: 'reconnecting' })
    stream.detach()
    leaveGroup()
    stream.resetFailures()
    // A finished stream starts afresh next time; one closed by the client resumes where it was.
    if (reason === 'done') {
      lastEventId.value = undefined
      recent.reset(undefined)
    }
    status.value = next
    if (wasActive && next === 'closed') record({ kind: 'close', reason })
  }

  /** The leader's state, mirrored by a following tab. */
  function onLeaderState(state: LeaderState) {
    const entry = state.entry
    if (entry?.kind === 'close' && entry.reason && TERMINAL.has(entry.reason)) {
      if (entry.reason === 'unauthorized' || entry.reason === 'forbidden') record({ kind: 'error', reason: entry.reason })
      return finish(entry.reason)
    }
    if (state.status === 'open') {
      stream.resetFailures()
      error.value = undefined
    }
    if (entry && entry.kind !== 'close') record(entry)
    leaderStatus = state.status
    status.value = state.status
  }

  function canConnect() {
    if (import.meta.server) return false
    return transportKind === 'fetch' ? typeof fetch === 'function' : typeof EventSource !== 'undefined'
  }

  function open() {
    if (!canConnect()) return
    if (stream.connected || stream.waiting || member) return
    stream.resetFailures()
    status.value = 'connecting'
    const target = new URL(toValue(url), globalThis.location?.href)
    // A cursor in the URL (a server's) is where a stream without a position of its own starts.
    lastEventId.value ??= cursorOf(target, protocol)
    if (!shared || !supportsSharedStream()) return stream.connect()
    member = joinAsMember({
      url: target,
      transport: transportKind,
      withCredentials,
      mayUnite: !token && !options.headers && !standAlone,
      protocol,
      parse,
      events,
      heartbeat,
      recent,
      lastEventId,
      leader,
      status: () => status.value,
      connection: stream,
      accept,
      leaderState: onLeaderState,
      refused: standAloneAfterRefusal,
    })
  }

  const close = () => finish('closed-by-client')
  const isActive = () => isStreamActive(status.value)
  const toggle = () => (isActive() ? close() : open())
  const clearHistory = () => {
    history.value = []
  }

  watch(() => toValue(url), () => {
    lastEventId.value = undefined
    standAlone = false
    recent.reset(undefined)
    if (isActive()) {
      stream.detach()
      leaveGroup()
      status.value = 'idle'
      open()
    }
  })

  const holdsConnection = () => !member || member.isLeader
  const listeners: Array<[EventTarget, string, () => void]> = []
  if (typeof window === 'object' && typeof window.addEventListener === 'function') {
    // Back online: reconnect now rather than at the end of a backoff or the browser's own retry.
    listeners.push([window, 'online', () => {
      if (!isActive() || status.value === 'open') return
      if (!holdsConnection()) return void (status.value = leaderStatus === 'offline' ? 'reconnecting' : leaderStatus)
      stream.resetFailures()
      status.value = 'reconnecting'
      stream.connect()
    }])
    listeners.push([window, 'offline', () => {
      if (!isActive()) return
      if (holdsConnection()) stream.detach()
      setStatus('offline', { kind: 'error', reason: 'offline' })
    }])
    // A leaving page hands the stream over now, not when the browser gets round to destroying it
    // (measured in Chromium: about 750 ms after a tab is closed). From the back/forward cache it rejoins.
    let leftWithPage = false
    listeners.push([window, 'pagehide', () => {
      if (!member) return
      leftWithPage = true
      stream.detach()
      leaveGroup()
    }])
    listeners.push([window, 'pageshow', () => {
      if (!leftWithPage) return
      leftWithPage = false
      if (isActive()) open()
    }])
    if (pauseWhenHidden && typeof document === 'object') {
      listeners.push([document, 'visibilitychange', () => {
        if (document.visibilityState === 'hidden' && isActive()) finish('closed-by-client', 'paused')
        else if (document.visibilityState === 'visible' && status.value === 'paused') open()
      }])
    }
    for (const [target, type, listener] of listeners) target.addEventListener(type, listener)
  }

  if (immediate) {
    if (getCurrentInstance()) onMounted(open)
    else open()
  }
  if (getCurrentScope()) {
    onScopeDispose(() => {
      stream.detach()
      leaveGroup()
      for (const [target, type, listener] of listeners) target.removeEventListener(type, listener)
    })
  }

  return {
    status,
    data,
    lastEventId,
    error,
    history,
    leader,
    connection,
    open,
    close,
    toggle,
    clearHistory,
  }
}
