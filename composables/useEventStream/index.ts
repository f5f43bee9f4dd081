import type { MaybeRefOrGetter } from 'vue'
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import { STREAM_EVENTS } from './stream-events'
import { DEFAULT_POLICY, backoffDelay } from './backoff'
import { compareEventIds } from './event-ids'
import type { LeaderState, RelayedEvent, SharedStream, Want } from './shared-stream'
import { RecentEvents, UNION_DEBOUNCE_MS, eventTopic, joinSharedStream, supportsSharedStream, unionKey } from './shared-stream'
import type { StallTimer } from './stall-timer'
import { createStallTimer } from './stall-timer'
import { eventSourceTransport } from './transports/eventsource'
import { fetchTransport } from './transports/fetch'
import type { Transport, TransportFailure } from './transports/transport'
import type {
  EventMap,
  EventStreamConnection,
  EventStreamEntry,
  EventStreamPayloadEntry,
  EventStreamReason,
  EventStreamStatus,
  UseEventStreamOptions,
  UseEventStreamReturn,
} from './types'

export type * from './types'

/** Default `parse`: JSON when it is JSON, the text itself otherwise. Never throws. */
export function parseJsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw)
  }
  catch {
    return raw
  }
}

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
 * token is renewed without a gap. Plain Vue 3: every import is explicit.
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
  const connection = shallowRef<EventStreamConnection>()

  let seq = 0
  let transport: Transport | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let stall: StallTimer | undefined
  let group: SharedStream | undefined
  let failures = 0
  // 401 with a token getter: one more attempt with a fresh token before calling it unauthorized.
  let retriedAuth = false
  // The server's `retry:` (fetch transport; EventSource applies it itself).
  let retryHintMs: number | undefined
  // Leader only: a joining tab was behind what this tab remembers; the next connect replays from there.
  let rewindTo: string | undefined
  // Bumped by every connect and detach: a token that resolves for an abandoned attempt is dropped.
  let attempt = 0
  // A token getter is running for the current attempt (nothing to close yet, but not idle either).
  let awaitingToken = false
  // What a following tab last heard from the leader.
  let leaderStatus: EventStreamStatus = 'connecting'
  const recent = new RecentEvents()
  // Union streams (see joinGroup): this consumer's topics, the newest id heard on the shared stream
  // (any topic: where a leader resumes from), what the open connection carries, and a refused
  // union's suspect that now reads a stream of its own.
  let ownTopics: ReadonlySet<string> | undefined
  let streamPosition: string | undefined
  let connected: { key: string, topics: ReadonlySet<string> } | undefined
  let openTopics: ReadonlySet<string> | undefined
  let unionTimer: ReturnType<typeof setTimeout> | undefined
  let standAlone = false
  // A first union leader waits for the page to load before it connects (see `lead`).
  let stopWaitingForPage: (() => void) | undefined

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

  /** An event from this tab's own connection. */
  function onTransportEvent(type: string, raw: string, id: string | undefined) {
    stall?.touch()
    if (type === heartbeatEvent) return
    if (type === renewEvent) return renew()
    const event: RelayedEvent = { type, data: raw, id }
    if (!group) return accept(type, raw, id)
    // Relayed even when this tab had it: the tab that asked for a replay may not.
    const fresh = recent.add(event)
    group.relay(event)
    deliver(event, fresh)
  }

  function onRelayed(event: RelayedEvent) {
    deliver(event, recent.add(event))
  }

  const isNewer = (id: string, than: string | undefined) => !than || (compareEventIds(id, than) ?? 1) > 0

  /**
   * An event of the shared stream, once per tab (`fresh`). On a union stream only this consumer's
   * topics, and only after its own position: a topic added to the union replays that topic's
   * history after the union's position, which may be older than this consumer's cursor. Control
   * events without a topic (`reset`) reach every consumer once: whose topics they concern, it can't tell.
   */
  function deliver(event: RelayedEvent, fresh: boolean) {
    if (!ownTopics) {
      if (fresh) accept(event.type, event.data, event.id)
      return
    }
    if (event.id && isNewer(event.id, streamPosition)) streamPosition = event.id
    if (!fresh) return
    const topic = eventTopic(event.data)
    if (topic !== undefined && (!ownTopics.has(topic) || (event.id && !isNewer(event.id, lastEventId.value)))) return
    accept(event.type, event.data, event.id)
  }

  /** The leader's connection of a union stream: every member's topics, events and heartbeat. */
  function union(): Want | undefined {
    return ownTopics && group ? group.union() : undefined
  }

  const wantKey = (want: Want) => JSON.stringify([want.topics, want.events, want.heartbeatParam, want.heartbeat])

  /** Leader of a union: (re)connect once the members stopped changing, when the union is not what is open. */
  function scheduleUnionConnect(ms = UNION_DEBOUNCE_MS) {
    clearTimeout(unionTimer)
    if (stopWaitingForPage) return
    unionTimer = setTimeout(() => {
      const wanted = union()
      if (!wanted || !group?.isLeader) return
      // A pending retry connects with the union as it is by then (no skipping the backoff).
      if (!wanted.topics.length || retryTimer || awaitingToken) return
      if (transport && !rewindTo && connected?.key === wantKey(wanted)) return
      connect()
    }, ms)
  }

  function setStatus(next: EventStreamStatus, entry?: LeaderState['entry']) {
    status.value = next
    if (entry) record(entry)
    if (group?.isLeader) group.announce({ status: next, entry })
  }

  function streamUrl(accessToken?: string, wanted?: Want): string {
    const base = toValue(url)
    const from = rewindTo ?? (resume ? (wanted ? streamPosition : undefined) ?? lastEventId.value : undefined)
    if (!from && !accessToken && !wanted) return base
    const here = globalThis.location?.href
    const target = new URL(base, here)
    if (wanted) {
      target.searchParams.delete('topic')
      target.searchParams.delete('heartbeat')
      for (const topic of wanted.topics) target.searchParams.append('topic', topic)
      if (wanted.heartbeatParam) target.searchParams.set('heartbeat', wanted.heartbeatParam)
    }
    // A new EventSource can't send Last-Event-ID itself: the server also reads it from the query.
    if (from) target.searchParams.set('lastEventId', from)
    // EventSource can send no header: a URL token is the last resort (it ends up in access logs).
    if (accessToken) target.searchParams.set('access_token', accessToken)
    return here && target.origin === new URL(here).origin ? `${target.pathname}${target.search}` : target.href
  }

  function detach() {
    attempt++
    clearTimeout(unionTimer)
    connected = undefined
    clearTimeout(retryTimer)
    retryTimer = undefined
    awaitingToken = false
    stall?.stop()
    stall = undefined
    transport?.close()
    transport = undefined
    connection.value = undefined
  }

  function connect() {
    detach()
    const current = attempt
    if (!token) return start(undefined)
    awaitingToken = true
    Promise.resolve()
      .then(token)
      .then(
        (value) => {
          if (current === attempt) start(value)
        },
        (cause: unknown) => {
          if (current !== attempt) return
          onFailure({ retrying: false, event: new ErrorEvent('error', { error: cause }) })
        },
      )
  }

  function start(accessToken: string | undefined) {
    awaitingToken = false
    const useFetch = transportKind === 'fetch'
    const headers: Record<string, string> = { ...toValue(options.headers ?? {}) }
    if (accessToken && useFetch) headers.authorization = `Bearer ${accessToken}`
    const wanted = union()
    const request = {
      url: streamUrl(useFetch ? undefined : accessToken, wanted),
      headers,
      withCredentials,
      events: [...new Set([...events, ...(wanted?.events ?? []), doneEvent, renewEvent, heartbeatEvent])].filter((name): name is string => !!name),
    }
    const watchMs = wanted ? wanted.heartbeat : heartbeat
    connected = wanted && { key: wantKey(wanted), topics: new Set(wanted.topics) }
    // The last-event-id buffer repeats on events without their own `id:`: only a new one is an id.
    let streamId = ''
    const create = useFetch ? fetchTransport : eventSourceTransport
    const current = attempt
    transport = create(request, {
      open: (opened) => {
        if (current !== attempt) return
        rewindTo = undefined
        failures = 0
        retriedAuth = false
        error.value = undefined
        connection.value = opened
        openTopics = connected?.topics
        stall?.stop()
        stall = watchMs ? createStallTimer(watchMs, onStall) : undefined
        setStatus('open', { kind: 'open' })
      },
      event: (type, raw, id) => {
        if (current !== attempt) return
        const own = id && id !== streamId ? id : undefined
        streamId = id
        onTransportEvent(type, raw, own)
      },
      alive: () => stall?.touch(),
      retryHint: (ms) => {
        retryHintMs = ms
      },
      failed: failure => current === attempt && onFailure(failure),
    })
    if (watchMs) stall = createStallTimer(watchMs, onStall)
  }

  function scheduleReconnect(ms: number) {
    detach()
    retryTimer = setTimeout(connect, ms)
  }

  function onFailure(failure: TransportFailure) {
    error.value = failure.event
    stall?.stop()
    const answer = failure.answer
    // The spec's "stop reconnecting" (what EventSource does with a 204 too).
    if (answer?.status === 204) return finish('done')
    if (answer?.status === 403) return refuse('forbidden')
    if (answer?.status === 401) {
      if (!token || retriedAuth) return refuse('unauthorized')
      retriedAuth = true
      setStatus('reconnecting', { kind: 'error', reason: 'retrying' })
      return connect()
    }
    failures++
    if (failures > policy.retries) {
      record({ kind: 'error', reason: 'gave-up' })
      return finish('gave-up')
    }
    setStatus('reconnecting', { kind: 'error', reason: 'retrying' })
    // EventSource is retrying by itself after a network drop: wait for it, but not for ever (a
    // retry that hangs on a dead route is replaced like a silent stream).
    if (failure.retrying) {
      const watchMs = union()?.heartbeat ?? heartbeat
      stall = watchMs ? createStallTimer(watchMs, onStall) : undefined
      return
    }
    const waitMs = answer?.retryAfterMs ?? (failure.ended ? retryHintMs : undefined) ?? backoffDelay(failures, policy)
    scheduleReconnect(waitMs)
    // EventSource gave up on an HTTP error it doesn't show: the confirming request says which.
    const current = attempt
    failure.probe?.then((probed) => {
      if (current !== attempt || !probed) return
      if (probed.status === 401) return refuse('unauthorized')
      if (probed.status === 403) return refuse('forbidden')
      if (probed.retryAfterMs !== undefined) scheduleReconnect(probed.retryAfterMs)
    })
  }

  /**
   * 401/403. A union's refusal is not every consumer's: its suspects (those that joined since the
   * union last opened) each go to a stream of their own, which gets its own answer; the others stay
   * on the union, which the leader reopens without them.
   */
  function refuse(reason: 'unauthorized' | 'forbidden') {
    if (ownTopics && group?.isLeader && group.others > 0) {
      detach()
      if (group.refuse(reason, openTopics)) return standAloneAfterRefusal()
      setStatus('reconnecting', { kind: 'error', reason: 'retrying' })
      return scheduleUnionConnect()
    }
    record({ kind: 'error', reason })
    finish(reason)
  }

  function standAloneAfterRefusal() {
    detach()
    leaveGroup()
    standAlone = true
    status.value = 'idle'
    open()
  }

  function onStall() {
    setStatus('reconnecting', { kind: 'error', reason: 'stalled' })
    connect()
  }

  function renew() {
    // The server ends the stream right after: get the fresh token and resume from the last id now.
    setStatus('reconnecting')
    connect()
  }

  /**
   * Calls `then` once the page has loaded (at once when it has, or outside a browser). A page's
   * consumers open during its start-up (a plugin's after a fetch, a page's on mount), which on a
   * cold first load spans longer than the debounce.
   */
  function afterPageLoad(then: () => void) {
    if (typeof document !== 'object' || document.readyState === 'complete' || typeof window !== 'object') return then()
    const loaded = () => {
      stopWaitingForPage?.()
      then()
    }
    window.addEventListener('load', loaded, { once: true })
    stopWaitingForPage = () => {
      window.removeEventListener('load', loaded)
      stopWaitingForPage = undefined
    }
  }

  function leaveGroup() {
    stopWaitingForPage?.()
    clearTimeout(unionTimer)
    group?.leave()
    group = undefined
    ownTopics = undefined
    openTopics = undefined
    leader.value = true
  }

  function finish(reason: EventStreamReason, next: EventStreamStatus = 'closed') {
    const wasActive = isStreamActive(status.value)
    // A union's refusal is this consumer's alone (see refuse): the next member leads without its topics.
    const ends = TERMINAL.has(reason) && !(ownTopics && (reason === 'unauthorized' || reason === 'forbidden'))
    if (group?.isLeader && ends) group.announce({ status: 'closed', entry: { kind: 'close', reason } })
    else if (group?.isLeader) group.announce({ status: 'reconnecting' })
    detach()
    leaveGroup()
    failures = 0
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
      failures = 0
      error.value = undefined
    }
    if (entry && entry.kind !== 'close') record(entry)
    leaderStatus = state.status
    status.value = state.status
  }

  /**
   * One stream per browser for the broadcast endpoint: every consumer of `unionKey` (same endpoint
   * and other query parameters, same transport and cookie credentials) is a member of one group
   * whose leader subscribes to the union of their topics; any other stream (the counting one, one
   * with a token or headers of its own, a refused union's suspect) is shared by identical URLs only.
   */
  function joinGroup() {
    // Tabs at different positions (each page's own cursor in the URL) still read one stream.
    const target = new URL(toValue(url), globalThis.location?.href)
    const union = !token && !options.headers && !standAlone ? unionKey(target, transportKind, withCredentials) : undefined
    target.searchParams.delete('lastEventId')
    const key = union ?? target.href
    const want: Want | undefined = union
      ? {
          topics: [...new Set(target.searchParams.getAll('topic'))],
          events: [...events],
          heartbeat: heartbeat || undefined,
          heartbeatParam: target.searchParams.get('heartbeat') ?? undefined,
        }
      : undefined
    ownTopics = want && new Set(want.topics)
    streamPosition = lastEventId.value
    recent.from = lastEventId.value
    leader.value = false
    const joined = joinSharedStream(key, recent, {
      lead: () => {
        leader.value = true
        // A hand-off knows the union already: at once. A first leader waits for the other consumers
        // of the page (one connect, not two), until the page has loaded and then for the debounce,
        // when it resumes from a position, so waiting loses nothing; without one, every moment
        // waited would be events missed: at once too.
        if (!want || group?.others || !streamPosition) connect()
        else afterPageLoad(() => scheduleUnionConnect())
      },
      relayed: onRelayed,
      state: onLeaderState,
      position: () => (want ? streamPosition : lastEventId.value),
      rewind: (since) => {
        // A tab ahead of this one's own stream gets the rest from it anyway: never skip forward.
        const own = want ? streamPosition : lastEventId.value
        const ahead = own && (compareEventIds(since, own) ?? -1) >= 0
        const older = rewindTo && (compareEventIds(rewindTo, since) ?? 1) <= 0
        // A union still reconnects: the member may bring a topic the connection lacks.
        if (ahead || older) {
          if (want) scheduleUnionConnect()
          return
        }
        rewindTo = since
        if (recent.from === undefined || (compareEventIds(since, recent.from) ?? 0) < 0) recent.from = since
        if (want) scheduleUnionConnect()
        else connect()
      },
      status: () => status.value,
      unionChanged: () => scheduleUnionConnect(0),
      covers: other => !!connected && other.topics.every(topic => connected!.topics.has(topic)),
      // A consumer without a cursor of its own starts where the shared stream is: nothing older.
      joinedAt: (position) => {
        if (!want || !position) return
        lastEventId.value ??= position
        streamPosition ??= position
      },
      refused: standAloneAfterRefusal,
    }, want)
    group = joined
  }

  function canConnect() {
    if (import.meta.server) return false
    return transportKind === 'fetch' ? typeof fetch === 'function' : typeof EventSource !== 'undefined'
  }

  function open() {
    if (!canConnect()) return
    if (transport || retryTimer || awaitingToken || group) return
    failures = 0
    status.value = 'connecting'
    // A `lastEventId` in the URL (a server's cursor) is where a stream without a position of its own starts.
    lastEventId.value ??= new URL(toValue(url), globalThis.location?.href).searchParams.get('lastEventId') ?? undefined
    if (shared && supportsSharedStream()) joinGroup()
    else connect()
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
      detach()
      leaveGroup()
      status.value = 'idle'
      open()
    }
  })

  const holdsConnection = () => !group || group.isLeader
  const listeners: Array<[EventTarget, string, () => void]> = []
  if (typeof window === 'object' && typeof window.addEventListener === 'function') {
    // Back online: reconnect now rather than at the end of a backoff or the browser's own retry.
    listeners.push([window, 'online', () => {
      if (!isActive() || status.value === 'open') return
      if (!holdsConnection()) return void (status.value = leaderStatus === 'offline' ? 'reconnecting' : leaderStatus)
      failures = 0
      status.value = 'reconnecting'
      connect()
    }])
    listeners.push([window, 'offline', () => {
      if (!isActive()) return
      if (holdsConnection()) detach()
      setStatus('offline', { kind: 'error', reason: 'offline' })
    }])
    // A leaving page hands the stream over now, not when the browser gets round to destroying it
    // (measured in Chromium: about 750 ms after a tab is closed). From the back/forward cache it rejoins.
    let leftWithPage = false
    listeners.push([window, 'pagehide', () => {
      if (!group) return
      leftWithPage = true
      detach()
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
      detach()
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
