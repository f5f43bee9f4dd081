import type { MaybeRefOrGetter, ShallowRef } from 'vue'

export type EventStreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/** One line of the stream's history. */
export interface EventStreamEntry<T = unknown> {
  /** Unique and increasing within one composable: a stable `v-for` key. */
  seq: number
  kind: 'open' | 'message' | 'event' | 'error' | 'close'
  /** The SSE event name, for `message` and `event` entries. */
  event?: string
  /** The parsed payload, for `message` and `event` entries. */
  data?: T | string
  lastEventId?: string
  /** Why, for `error` and `close` entries: a short machine-readable reason. */
  reason?: 'retrying' | 'gave-up' | 'done' | 'closed-by-client' | 'failed'
  /** `Date.now()` when it happened. */
  at: number
}

export interface ReconnectPolicy {
  /** Consecutive failed attempts before giving up. Default 5. */
  retries?: number
  /** First delay (ms) before a reconnect this composable makes itself; doubles each time. Default 1000. */
  delay?: number
  /** Upper bound of that delay (ms). Default 30000. */
  maxDelay?: number
}

export interface UseEventStreamOptions<T> {
  /** Open on creation (on mount inside a component, so SSR and hydration agree). Default true. */
  immediate?: boolean
  /** Named events to listen to besides `message`. */
  events?: readonly string[]
  /** Turns `event.data` into a payload. Default: JSON, or the raw text when it isn't JSON. Must not throw. */
  parse?: (raw: string, event: string) => T | string
  /** Reconnect policy; `false` to never reconnect. */
  reconnect?: boolean | ReconnectPolicy
  /** Send cookies cross-origin. Default false. */
  withCredentials?: boolean
  /** Keep at most this many history entries (oldest dropped). Default 500. */
  historyLimit?: number
  /** The named event that ends the stream cleanly (no reconnect). Default `done`; `false` for none. */
  doneEvent?: string | false
  /** Reopen after `close()` from the last event id, so nothing is missed. Default true. */
  resume?: boolean
}

export interface UseEventStreamReturn<T> {
  status: Readonly<ShallowRef<EventStreamStatus>>
  /** The last `message` payload. Every payload, repeats included, is in `history`. */
  data: Readonly<ShallowRef<T | string | undefined>>
  lastEventId: Readonly<ShallowRef<string | undefined>>
  /** The last error event, cleared on open. */
  error: Readonly<ShallowRef<Event | undefined>>
  /** Open, message, named event, error and close entries, oldest first, at most `historyLimit`. */
  history: Readonly<ShallowRef<readonly EventStreamEntry<T>[]>>
  open: () => void
  close: () => void
  toggle: () => void
  clearHistory: () => void
}

/** Default `parse`: JSON when it is JSON, the text itself otherwise. Never throws. */
export function parseJsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw)
  }
  catch {
    return raw
  }
}

/** Connecting, open, or retrying: a stream the person asked for, which `toggle()` would close. */
export function isStreamActive(status: EventStreamStatus): boolean {
  return status === 'connecting' || status === 'open' || status === 'reconnecting'
}

const DEFAULT_POLICY: Required<ReconnectPolicy> = { retries: 5, delay: 1000, maxDelay: 30_000 }

/**
 * Reactive EventSource with a full history and a reconnect policy, in the style of VueUse's
 * `useEventSource` but without its gaps: every message is kept (not only the last), `status` says
 * `reconnecting` while the browser retries, SSR renders `idle` exactly as the client's first render,
 * and a `done` event ends the stream instead of starting it again.
 */
export function useEventStream<T = unknown>(
  url: MaybeRefOrGetter<string>,
  options: UseEventStreamOptions<T> = {},
): UseEventStreamReturn<T> {
  const {
    immediate = true,
    events = [],
    parse = parseJsonOrText as (raw: string) => T | string,
    withCredentials = false,
    historyLimit = 500,
    doneEvent = 'done',
    resume = true,
  } = options
  const policy = options.reconnect === false
    ? { ...DEFAULT_POLICY, retries: 0 }
    : { ...DEFAULT_POLICY, ...(typeof options.reconnect === 'object' ? options.reconnect : {}) }

  const status = shallowRef<EventStreamStatus>('idle')
  const data = shallowRef<T | string>()
  const lastEventId = shallowRef<string>()
  const error = shallowRef<Event>()
  const history = shallowRef<EventStreamEntry<T>[]>([])

  let source: EventSource | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let seq = 0

  function record(entry: Omit<EventStreamEntry<T>, 'seq' | 'at'>) {
    // A new array each time, so components that take `history` as a prop re-render too.
    const list = [...history.value, { ...entry, seq: ++seq, at: Date.now() }]
    history.value = list.length > historyLimit ? list.slice(list.length - historyLimit) : list
  }

  function streamUrl(): string {
    const base = toValue(url)
    if (!resume || !lastEventId.value) return base
    // A new EventSource can't send Last-Event-ID itself: the server also reads it from the query.
    const target = new URL(base, window.location.href)
    target.searchParams.set('lastEventId', lastEventId.value)
    return target.origin === window.location.origin ? `${target.pathname}${target.search}` : target.href
  }

  function onPayload(kind: 'message' | 'event', event: MessageEvent<string>) {
    const payload = parse(event.data, event.type)
    if (event.lastEventId) lastEventId.value = event.lastEventId
    if (kind === 'message') data.value = payload
    record({ kind, event: event.type, data: payload, lastEventId: event.lastEventId || undefined })
    if (event.type === doneEvent) finish('done')
  }

  function detach() {
    clearTimeout(retryTimer)
    retryTimer = undefined
    source?.close()
    source = undefined
  }

  function finish(reason: 'done' | 'closed-by-client' | 'gave-up') {
    const wasActive = isStreamActive(status.value)
    detach()
    failures = 0
    // A finished stream starts afresh next time; one closed by the client resumes where it was.
    if (reason === 'done') lastEventId.value = undefined
    status.value = 'closed'
    if (wasActive) record({ kind: 'close', reason })
  }

  function onError(event: Event) {
    error.value = event
    failures++
    const browserRetrying = source?.readyState === EventSource.CONNECTING
    if (failures > policy.retries) {
      record({ kind: 'error', reason: 'gave-up' })
      finish('gave-up')
      return
    }
    record({ kind: 'error', reason: 'retrying' })
    status.value = 'reconnecting'
    if (browserRetrying) return
    // The browser gave up (an HTTP error, or a 204): retry ourselves, with backoff and jitter so a
    // server restart is not met by every client at the same instant.
    detach()
    const ceiling = Math.min(policy.maxDelay, policy.delay * 2 ** (failures - 1))
    retryTimer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2)
  }

  function connect() {
    detach()
    const es = new EventSource(streamUrl(), { withCredentials })
    source = es
    es.onopen = () => {
      failures = 0
      error.value = undefined
      status.value = 'open'
      record({ kind: 'open' })
    }
    es.onmessage = event => onPayload('message', event)
    for (const name of new Set([...events, ...(doneEvent ? [doneEvent] : [])])) {
      es.addEventListener(name, event => onPayload('event', event as MessageEvent<string>))
    }
    es.onerror = onError
  }

  function open() {
    if (import.meta.server || typeof EventSource === 'undefined') return
    if (source || retryTimer) return
    failures = 0
    status.value = 'connecting'
    connect()
  }

  const close = () => finish('closed-by-client')
  const isActive = () => isStreamActive(status.value)
  const toggle = () => (isActive() ? close() : open())
  const clearHistory = () => {
    history.value = []
  }

  watch(() => toValue(url), () => {
    lastEventId.value = undefined
    if (isActive()) {
      detach()
      status.value = 'idle'
      open()
    }
  })

  if (immediate) {
    if (getCurrentInstance()) onMounted(open)
    else open()
  }
  tryOnScopeDispose(detach)

  return {
    status,
    data,
    lastEventId,
    error,
    history,
    open,
    close,
    toggle,
    clearHistory,
  }
}

function tryOnScopeDispose(fn: () => void) {
  if (getCurrentScope()) onScopeDispose(fn)
}
