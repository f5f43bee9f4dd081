import type { MaybeRefOrGetter } from 'vue'
import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose, shallowRef, toValue, watch } from 'vue'
import { DEFAULT_POLICY, backoffDelay } from './backoff'
import { compareEventIds } from './event-ids'
import type { LeaderState, RelayedEvent, SharedStream } from './shared-stream'
import { RecentEvents, joinSharedStream, supportsSharedStream } from './shared-stream'
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
    doneEvent = 'done',
    resume = true,
    shared = true,
    token,
    renewEvent = 'renew',
    heartbeat = false,
    heartbeatEvent = 'heartbeat',
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
    if (event.id) recent.see(event.id)
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
    if (fresh) accept(type, raw, id)
  }

  function onRelayed(event: RelayedEvent) {
    if (recent.add(event)) accept(event.type, event.data, event.id)
  }

  function setStatus(next: EventStreamStatus, entry?: LeaderState['entry']) {
    status.value = next
    if (entry) record(entry)
    if (group?.isLeader) group.announce({ status: next, entry })
  }

  function streamUrl(accessToken?: string): string {
    const base = toValue(url)
    const from = rewindTo ?? (resume ? lastEventId.value : undefined)
    if (!from && !accessToken) return base
    const here = globalThis.location?.href
    const target = new URL(base, here)
    // A new EventSource can't send Last-Event-ID itself: the server also reads it from the query.
    if (from) target.searchParams.set('lastEventId', from)
    // EventSource can send no header: a URL token is the last resort (it ends up in access logs).
    if (accessToken) target.searchParams.set('access_token', accessToken)
    return here && target.origin === new URL(here).origin ? `${target.pathname}${target.search}` : target.href
  }

  function detach() {
    attempt++
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
    const request = {
      url: streamUrl(useFetch ? undefined : accessToken),
      headers,
      withCredentials,
      events: [...events, doneEvent, renewEvent, heartbeatEvent].filter((name): name is string => !!name),
    }
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
        stall?.stop()
        stall = heartbeat ? createStallTimer(heartbeat, onStall) : undefined
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
    if (heartbeat) stall = createStallTimer(heartbeat, onStall)
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
      stall = heartbeat ? createStallTimer(heartbeat, onStall) : undefined
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

  function refuse(reason: 'unauthorized' | 'forbidden') {
    record({ kind: 'error', reason })
    finish(reason)
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

  function leaveGroup() {
    group?.leave()
    group = undefined
    leader.value = true
  }

  function finish(reason: EventStreamReason, next: EventStreamStatus = 'closed') {
    const wasActive = isStreamActive(status.value)
    if (group?.isLeader && TERMINAL.has(reason)) group.announce({ status: 'closed', entry: { kind: 'close', reason } })
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

  function joinGroup() {
    // Tabs at different positions (each page's own cursor in the URL) still read one stream.
    const target = new URL(toValue(url), globalThis.location?.href)
    target.searchParams.delete('lastEventId')
    const key = target.href
    recent.from = lastEventId.value
    leader.value = false
    const joined = joinSharedStream(key, recent, {
      lead: () => {
        leader.value = true
        connect()
      },
      relayed: onRelayed,
      state: onLeaderState,
      position: () => lastEventId.value,
      rewind: (since) => {
        // A tab ahead of this one's own stream gets the rest from it anyway: never skip forward.
        const own = lastEventId.value
        if (own && (compareEventIds(since, own) ?? -1) >= 0) return
        if (rewindTo && (compareEventIds(rewindTo, since) ?? 1) <= 0) return
        rewindTo = since
        if (recent.from === undefined || (compareEventIds(since, recent.from) ?? 0) < 0) recent.from = since
        connect()
      },
      status: () => status.value,
    })
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
