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

/** One notification of the inbox: an event of the user's own topic. */
export interface InboxItem {
  id: string
  event: string
  data: unknown
  /** ISO time the bus accepted it. */
  at: string
}

/** Answer of `GET /api/inbox`. */
export interface InboxState {
  /** Newest first. */
  items: InboxItem[]
  /** The newest id marked read, or null. */
  readUpTo: string | null
  /** The newest event id the server had: the stream resumes from here (`lastEventId=cursor`). */
  cursor: string | null
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
}

/** Answer of `GET /api/notify/stats`. */
export interface NotifyStats {
  uptimeSeconds: number
  connections: {
    total: number
    byRoute: Record<string, number>
    /** Only with the admin (publish) token: topic names may be private. */
    byTopic?: Record<string, number>
  }
  published: number
  history: { size: number, oldestId?: string, newestId?: string }
  bus: BusStatus
  /** Only with `?runtime=1` and the publish token. */
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
  message: string
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
