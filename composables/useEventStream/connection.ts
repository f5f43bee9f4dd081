import type { ShallowRef } from 'vue'
import { backoffDelay } from './backoff'
import type { StallTimer } from './stall-timer'
import { createStallTimer } from './stall-timer'
import { eventSourceTransport } from './transports/eventsource'
import { fetchTransport } from './transports/fetch'
import type { Transport, TransportFailure, TransportRequest } from './transports/transport'
import type { EventStreamConnection, EventStreamReason, EventStreamStatus, EventStreamTransport, ReconnectPolicy } from './types'

/** A lifecycle line the composable records. */
export interface LifecycleEntry {
  kind: 'open' | 'error' | 'close'
  reason?: EventStreamReason
}

export interface ConnectionOptions {
  transport: EventStreamTransport
  /** Called before every connect; its value goes to `request`. */
  token?: () => string | Promise<string>
  policy: Required<ReconnectPolicy>
  /** The next attempt's request, built when it starts (with this attempt's token). */
  request: (accessToken: string | undefined) => TransportRequest
  /** The heartbeat interval (ms) to watch for a stall at; false or undefined: none. */
  heartbeatMs: () => number | false | undefined
  /** Named events the connection handles itself: a heartbeat (never passed on) and a renewal. */
  heartbeatEvent: string
  renewEvent: string | false
  /** Set here: the last failure (cleared on open) and the open connection. */
  error: ShallowRef<Event | undefined>
  connection: ShallowRef<EventStreamConnection | undefined>
  /** Opened: the composable records it (after `connection` and `error` are set). */
  opened: () => void
  /** An event of this connection, `id` only when it carried one of its own. */
  event: (type: string, raw: string, id: string | undefined) => void
  /** Retrying, stalled, renewing. */
  status: (next: EventStreamStatus, entry?: LifecycleEntry) => void
  /** The stream is over: the server said so (204), or the retries are spent. */
  ended: (reason: 'done' | 'gave-up') => void
  /** 401 (after one attempt with a fresh token) or 403. */
  refused: (reason: 'unauthorized' | 'forbidden') => void
  /** The connection, a pending retry or token request was dropped. */
  detached?: () => void
}

export interface Connection {
  /** Drops whatever is under way and connects now. */
  connect: () => void
  /** Drops the connection and any pending retry or token request. */
  detach: () => void
  /** The next failure counts from the first again. */
  resetFailures: () => void
  /** A connection exists (opening or open). */
  readonly connected: boolean
  /** A retry or a token request is pending. */
  readonly waiting: boolean
}

/**
 * One tab's own connection and its reconnect state machine: the transport (EventSource or fetch),
 * a token before every connect, backoff with the server's `retry:` and `Retry-After`, a stall
 * watch, one more attempt with a fresh token on 401, none on 403, a renewal on `renewEvent`.
 * It knows nothing of tabs or topics: what to connect to comes from `request`.
 */
export function createConnection(options: ConnectionOptions): Connection {
  const { token, policy, error, connection } = options
  let transport: Transport | undefined
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let stall: StallTimer | undefined
  let failures = 0
  // 401 with a token getter: one more attempt with a fresh token before calling it unauthorized.
  let retriedAuth = false
  // The server's `retry:` (fetch transport; EventSource applies it itself).
  let retryHintMs: number | undefined
  // Bumped by every connect and detach: a token or probe that settles for an abandoned attempt is dropped.
  let attempt = 0
  // A token getter is running for the current attempt (nothing to close yet, but not idle either).
  let awaitingToken = false

  function watchForStall() {
    const watchMs = options.heartbeatMs()
    stall = watchMs ? createStallTimer(watchMs, onStall) : undefined
  }

  function detach() {
    attempt++
    options.detached?.()
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
    const request = options.request(accessToken)
    // The last-event-id buffer repeats on events without their own `id:`: only a new one is an id.
    let streamId = ''
    const create = options.transport === 'fetch' ? fetchTransport : eventSourceTransport
    const current = attempt
    transport = create(request, {
      open: (opened) => {
        if (current !== attempt) return
        failures = 0
        retriedAuth = false
        error.value = undefined
        connection.value = opened
        stall?.stop()
        watchForStall()
        options.opened()
      },
      event: (type, raw, id) => {
        if (current !== attempt) return
        const own = id && id !== streamId ? id : undefined
        streamId = id
        onEvent(type, raw, own)
      },
      alive: () => stall?.touch(),
      retryHint: (ms) => {
        retryHintMs = ms
      },
      failed: failure => current === attempt && onFailure(failure),
    })
    watchForStall()
  }

  function onEvent(type: string, raw: string, id: string | undefined) {
    stall?.touch()
    if (type === options.heartbeatEvent) return
    // The server ends the stream right after: get the fresh token and resume from the last id now.
    if (type === options.renewEvent) {
      options.status('reconnecting')
      return connect()
    }
    options.event(type, raw, id)
  }

  function onStall() {
    options.status('reconnecting', { kind: 'error', reason: 'stalled' })
    connect()
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
    if (answer?.status === 204) return options.ended('done')
    if (answer?.status === 403) return options.refused('forbidden')
    if (answer?.status === 401) {
      if (!token || retriedAuth) return options.refused('unauthorized')
      retriedAuth = true
      options.status('reconnecting', { kind: 'error', reason: 'retrying' })
      return connect()
    }
    failures++
    if (failures > policy.retries) return options.ended('gave-up')
    options.status('reconnecting', { kind: 'error', reason: 'retrying' })
    // EventSource is retrying by itself after a network drop: wait for it, but not for ever (a
    // retry that hangs on a dead route is replaced like a silent stream).
    if (failure.retrying) return watchForStall()
    const waitMs = answer?.retryAfterMs ?? (failure.ended ? retryHintMs : undefined) ?? backoffDelay(failures, policy)
    scheduleReconnect(waitMs)
    // EventSource gave up on an HTTP error it doesn't show: the confirming request says which.
    const current = attempt
    failure.probe?.then((probed) => {
      if (current !== attempt || !probed) return
      if (probed.status === 401) return options.refused('unauthorized')
      if (probed.status === 403) return options.refused('forbidden')
      if (probed.retryAfterMs !== undefined) scheduleReconnect(probed.retryAfterMs)
    })
  }

  return {
    connect,
    detach,
    resetFailures: () => {
      failures = 0
    },
    get connected() {
      return !!transport
    },
    get waiting() {
      return !!retryTimer || awaitingToken
    },
  }
}
