import type { MaybeRefOrGetter, ShallowRef } from 'vue'

/**
 * `offline`: the browser says it has no network; the stream reconnects the moment it is back.
 * `paused`: closed while the page is hidden (`pauseWhenHidden`); it resumes from the last id when shown.
 */
export type EventStreamStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'paused' | 'closed'

/**
 * Event names to payload types: `useEventStream<{ message: CountingPayload, customEvent: MilestonePayload }>`.
 * Names that are not in the map have `unknown` data.
 */
export type EventMap = object

/** The names of a map, or every string for the default map. */
export type EventName<M extends EventMap> = Extract<keyof M, string>

/** The payload type of event `K` in map `M`. */
export type EventData<M extends EventMap, K extends string> = K extends keyof M ? M[K] : unknown

/** Why an `error` or `close` entry was recorded: a short machine-readable reason. */
export type EventStreamReason
  = | 'retrying' | 'gave-up' | 'done' | 'closed-by-client' | 'failed'
  /** 401: no or no longer valid credentials (after one attempt with a fresh token). */
    | 'unauthorized'
  /** 403: the credentials do not grant this stream. */
    | 'forbidden'
  /** Nothing at all (event or heartbeat) arrived for 2.5 heartbeat intervals: replaced. */
    | 'stalled'
  /** The browser went offline. */
    | 'offline'

interface EntryBase {
  /** Unique and increasing within one composable: a stable `v-for` key. */
  seq: number
  /** `Date.now()` when it happened (for seeded entries: when the server accepted the event). */
  at: number
  lastEventId?: string
}

/** A `message` (unnamed) or named event, typed by the event map. */
export type EventStreamPayloadEntry<M extends EventMap = Record<string, unknown>> = {
  [K in EventName<M>]: EntryBase & {
    kind: 'message' | 'event'
    /** The SSE event name. */
    event: K
    /** The parsed payload. */
    data: M[K]
    reason?: undefined
  }
}[EventName<M>]

/** A lifecycle line: open, error, close. */
export interface EventStreamLifecycleEntry extends EntryBase {
  kind: 'open' | 'error' | 'close'
  event?: undefined
  data?: undefined
  reason?: EventStreamReason
}

/** One line of the stream's history. */
export type EventStreamEntry<M extends EventMap = Record<string, unknown>> = EventStreamPayloadEntry<M> | EventStreamLifecycleEntry

export interface ReconnectPolicy {
  /** Consecutive failed attempts before giving up. @default 5 */
  retries?: number
  /** First delay (ms) before a reconnect this composable makes itself; doubles each time. @default 1000 */
  delay?: number
  /** Upper bound of that delay (ms). @default 30000 */
  maxDelay?: number
}

/** An event rendered on the server (for example from `GET /api/notify/recent`), shown before the stream opens. */
export interface SeedEvent {
  /** The SSE event name; `message` for unnamed events. */
  event: string
  data: unknown
  id?: string
  /** When it happened (ms); also what the history shows, so server and client render the same time. */
  at?: number
}

export type EventStreamTransport = 'eventsource' | 'fetch'

export interface UseEventStreamOptions<M extends EventMap> {
  /** Open on creation (on mount inside a component, so SSR and hydration agree). @default true */
  immediate?: boolean
  /** Named events to listen to besides `message`. @default [] */
  events?: readonly EventName<M>[] | readonly string[]
  /** Turns `event.data` into a payload. Must not throw. @default JSON, or the raw text when it isn't JSON */
  parse?: (raw: string, event: string) => unknown
  /** Reconnect policy; `false` to never reconnect. @default { retries: 5, delay: 1000, maxDelay: 30000 } */
  reconnect?: boolean | ReconnectPolicy
  /** Send cookies cross-origin. @default false */
  withCredentials?: boolean
  /** Keep at most this many history entries (oldest dropped). @default 500 */
  historyLimit?: number
  /** The named event that ends the stream cleanly (no reconnect). `false` for none. @default 'done' */
  doneEvent?: string | false
  /** Reopen after `close()` from the last event id, so nothing is missed. @default true */
  resume?: boolean
  /**
   * One connection per browser for this URL: one tab (the leader, chosen with the Web Locks API)
   * holds it and relays every event to the other tabs over a BroadcastChannel. Where either API is
   * missing (or with `false`) every tab connects itself. @default true
   */
  shared?: boolean
  /** `fetch` can send headers and sees HTTP statuses; chosen by itself when `token` or `headers` is given. @default 'eventsource' */
  transport?: EventStreamTransport
  /**
   * Bearer token for each connect, fetched again before every reconnect and on `renewEvent`: sent as
   * `Authorization` (fetch), or as `?access_token=` when the transport is `eventsource`. @default undefined
   */
  token?: () => string | Promise<string>
  /** Extra request headers (fetch transport only). @default {} */
  headers?: MaybeRefOrGetter<Record<string, string>>
  /** The named event that asks for a fresh token: the stream reconnects at once with it, from its last id. @default 'renew' */
  renewEvent?: string | false
  /**
   * The server's heartbeat interval (ms). When nothing at all, event or heartbeat, arrives for 2.5
   * intervals the connection is taken for dead and replaced. EventSource cannot see comment
   * heartbeats: ask the server for `heartbeatEvent` ones (our API: `?heartbeat=event`). @default false
   */
  heartbeat?: number | false
  /** The named event that counts as a heartbeat (never recorded). @default 'heartbeat' */
  heartbeatEvent?: string
  /** Close while the page is hidden, resume from the last id when it is shown again. @default false */
  pauseWhenHidden?: boolean
  /** Events rendered on the server and their cursor: shown at once, and the stream resumes after them. @default undefined */
  seed?: { events: readonly SeedEvent[], lastEventId?: string | null }
  /** Called for every message and named event, bursts included, whatever `historyLimit` keeps. @default undefined */
  onEvent?: (entry: EventStreamPayloadEntry<M>) => void

  // The server's protocol. The defaults are this app's server; another SSE server needs only these.

  /**
   * The query parameter that names a topic. A URL with it is a member of its endpoint's union
   * stream (see `shared`): the leader asks for every member's topics in one URL. @default 'topic'
   */
  topicParam?: string
  /**
   * How a union's topics join into one URL: `undefined` repeats the parameter (`?topic=a&topic=b`);
   * a separator joins them into one value (`','`: `?topics=a,b`), and a URL's own value is split by it. @default undefined
   */
  topicSeparator?: string
  /**
   * Which field of an event's JSON data names its topic (a union's consumer keeps only its own
   * topics), or a function of the parsed payload and the event name. An event without a topic
   * (our `reset`) reaches every consumer. @default 'topic'
   */
  topicField?: string | ((payload: unknown, event: string) => string | undefined)
  /**
   * The query parameter that carries the cursor to resume after (a new EventSource can't send
   * `Last-Event-ID` itself); a URL's own value is where a stream without a position starts. `false`:
   * none (then use `lastEventIdHeader` with the fetch transport). @default 'lastEventId'
   */
  cursorParam?: string | false
  /**
   * Fetch transport: send the cursor as the `Last-Event-ID` request header as well (cross-origin,
   * that header needs a CORS preflight). @default false
   */
  lastEventIdHeader?: boolean
  /**
   * The query parameter that asks for named heartbeats (ours: `heartbeat=event`): a union asks for
   * it when any member's URL does. `false`: the server has none. @default 'heartbeat'
   */
  heartbeatParam?: string | false
  /** The query parameter of a `token` on the EventSource transport (it can send no header). @default 'access_token' */
  tokenParam?: string
}

/** What holds the stream in this tab: the EventSource, or the fetch Response. */
export type EventStreamConnection = EventSource | Response

export interface UseEventStreamReturn<M extends EventMap> {
  status: Readonly<ShallowRef<EventStreamStatus>>
  /** The last `message` payload. Every payload, repeats included, is in `history`. */
  data: Readonly<ShallowRef<EventData<M, 'message'> | undefined>>
  lastEventId: Readonly<ShallowRef<string | undefined>>
  /** The last error event, cleared on open. */
  error: Readonly<ShallowRef<Event | undefined>>
  /** Open, message, named event, error and close entries, oldest first, at most `historyLimit`. */
  history: Readonly<ShallowRef<readonly EventStreamEntry<M>[]>>
  /** True while this tab holds the connection itself (always, unless it follows another tab's stream). */
  leader: Readonly<ShallowRef<boolean>>
  /** Escape hatch: the underlying connection, while this tab holds one. */
  connection: Readonly<ShallowRef<EventStreamConnection | undefined>>
  open: () => void
  close: () => void
  toggle: () => void
  clearHistory: () => void
}
