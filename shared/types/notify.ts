import type { RefusalCode } from '../utils/refusals'

/** Data of message `n` of the counting stream (`GET /api/notify/stream`). */
export interface CountingPayload {
  count: number
  total: number
  /** `这是第n次发送的SSE数据` */
  message: string
  /** ISO time the server sent it. */
  at: string
}

/** Data of the `customEvent` named event that follows every 10th counting message. */
export interface MilestonePayload {
  count: number
  total: number
}

/** Data of the `done` named event: the stream is complete, do not reconnect. */
export interface DonePayload {
  total: number
}

/** Data of every event on the broadcast stream (`GET /api/notify/events`). */
export interface BroadcastPayload<T = unknown> {
  topic: string
  /** Exactly what the publisher sent. */
  data: T
  /** ISO time the bus accepted it. */
  at: string
}

/** Data of the `reset` named event: the client's Last-Event-ID is older than the history, reload state. */
export interface ResetPayload {
  reason: 'history-expired' | 'unknown-id'
  /** Oldest id still in history, when there is one. */
  oldestId?: string
}

/** Data of the `renew` named event: the stream ends because its token expires; renew it and resume. */
export interface RenewPayload {
  reason: 'token-expired'
}

/** The `notify` claim of a subscriber/publisher token: topic names or `prefix*` patterns. */
export interface NotifyClaim {
  subscribe?: string[]
  publish?: string[]
}

/** Answer of `POST /api/notify/token`: a subscriber token for the signed-in user. */
export interface SubscriberToken {
  token: string
  /** ISO time the token stops working; a stream opened with it ends then with a `renew` event. */
  expiresAt: string
  /** What it grants reading. */
  subscribe: string[]
}

/** The signed-in user of the demo session (nuxt-auth-utils). */
export interface SessionUser {
  id: string
  name: string
}

/**
 * Body of `POST /api/notify/publish`, the one definition of it: the server's schema is checked
 * against it, the bus publishes it (defaults filled in), the page's form and the tests send it.
 */
export interface PublishRequest<T = unknown> {
  /** Default `broadcast`. */
  topic?: string
  /** The SSE event name; default `message`. */
  event?: string
  /** Any JSON value, null included; required. */
  data: T
}

/** A publish request as the bus takes it: topic and event name filled in. */
export type PublishInput = Required<PublishRequest>

/** Answer of `POST /api/notify/publish`. */
export interface PublishResult {
  id: string
  topic: string
  /**
   * Subscribers of the topic on this instance when it was published: each gets it now, or after its
   * replay if it is still catching up. Other instances' subscribers are not counted.
   */
  delivered: number
  /**
   * True when this answers a retry: the request's `Idempotency-Key` (same body) was published
   * before, as `id`; nothing was published now.
   */
  duplicate?: boolean
}

/** Answer of `GET /api/notify/stats`. */
export interface NotifyStats {
  uptimeSeconds: number
  connections: {
    total: number
    byRoute: Record<string, number>
    /** Only for the operator: topic names may be private. */
    byTopic?: Record<string, number>
  }
  /** Events this instance published: for the operator every topic's, for anyone else the public topics' only. */
  published: number
  /** Only for the operator: it spans every topic, private ones included. */
  history?: { size: number, oldestId?: string, newestId?: string }
  /** For anyone but the operator only `kind`, `connected` and `topology`: the counts of a Redis bus move with private topics too. */
  bus: BusStatus
  /** Only with `?runtime=1`, for the operator. */
  runtime?: RuntimeMetrics
}

/** Process internals, for operators and the leak tests. */
export interface RuntimeMetrics {
  heapUsedBytes: number
  rssBytes: number
  /** Live handles by type (`Timeout`, `TCPSocketWrap`, ...), from process.getActiveResourcesInfo(). */
  activeResources: Record<string, number>
  /** Event-loop delay since the last reset; absent where the runtime can't measure it. */
  eventLoopDelayMs?: { p50: number, p99: number, max: number }
  gcRan: boolean
}

/** The broadcast bus of this instance. */
export interface BusStatus {
  kind: 'memory' | 'redis' | 'durable-object'
  /** False while Redis can't be reached: publishing answers 503, subscribers wait on heartbeats. */
  connected: boolean
  /** Routed Redis bus: on one Redis or a Redis Cluster. */
  topology?: 'single' | 'cluster'
  /** Routed Redis bus: events this instance took from Redis (live and read back), since it started. */
  received?: number
  /** Routed Redis bus: clock readings it asked of masters to release events in order (routed-redis-bus.ts). */
  ticks?: number
  /** Routed Redis bus: topics this instance is subscribed to in Redis (those its clients hold). */
  subscriptions?: number
}

/** Answer of `GET /api/health`. */
/**
 * The system of record (NUXT_NOTIFY_DATABASE_URL): `down` from its first failed statement (or while
 * it can't be opened) to its first success; `off` where this build runs without one (Workers).
 */
export type StoreHealth = 'up' | 'down' | 'off'

export interface HealthStatus {
  status: 'ok' | 'degraded'
  bus: BusStatus
  store: StoreHealth
  uptimeSeconds: number
}

/** JSON body of every 4xx/5xx answer of the API. */
export interface ApiError {
  statusCode: number
  statusMessage: string
  /** The refusal's stable code: what a client branches on and translates (shared/utils/refusals.ts). */
  code: RefusalCode
  /** English, for a person reading the raw API; may be reworded, unlike `code`. */
  message: string
  /** What the refusal names: the query `parameter`, a publish body's `issues`. */
  data?: Record<string, unknown>
}

/** One event of `GET /api/notify/recent`: what the stream sent for it (`id:`, `event:`, and its data). */
export interface RecentEvent<T = unknown> {
  id: string
  event: string
  data: BroadcastPayload<T>
}

/** Answer of `GET /api/notify/recent?topic=a&topic=b`: the newest events of those topics, oldest first. */
export interface RecentEvents<T = unknown> {
  events: RecentEvent<T>[]
  /**
   * The newest event id the server had (of any topic): a stream opened with `lastEventId=cursor`
   * gets exactly the events after these, none twice. Null when the bus has no position to give yet.
   */
  cursor: string | null
}

/**
 * `GET /api/notify/presence?topic=`: streams open on the topic across every instance; for a user's
 * own topic (`user:<id>`) also whether that user is online (at least one stream).
 */
export type PresenceResult = { topic: string, online: boolean, streams: number } | { topic: string, streams: number }
