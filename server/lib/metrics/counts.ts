/**
 * The counts the hot path keeps: plain numbers, bumped once per dispatch, per replay, per refusal,
 * per cut-off, never per subscriber or per frame. prom-client reads them when it is scraped
 * (prometheus.ts): its own `inc()` allocates a labels object per call, which a fan-out to
 * thousands should not pay.
 */

/** Why a stream was refused before its first byte: the only values of `notify_stream_refusals_total{reason}`. */
export const STREAM_REFUSAL_REASONS = [
  /** Over NUXT_NOTIFY_MAX_STREAMS or NUXT_NOTIFY_MAX_STREAMS_PER_IP (503). */
  'caps',
  /** The server is draining for shutdown (503). */
  'shutdown',
  /** A private topic asked for without credentials. */
  '401',
  /** Credentials that don't grant a topic asked for. */
  '403',
] as const
export type StreamRefusalReason = typeof STREAM_REFUSAL_REASONS[number]

/** How a reconnecting client's Last-Event-ID was answered: the values of `notify_replays_total{result}`. */
export const REPLAY_RESULTS = ['replayed', 'reset'] as const
export type ReplayResultKind = typeof REPLAY_RESULTS[number]

/** What became of one push to one device: the values of `notify_push_messages_total{result}`. */
export const PUSH_RESULTS = [
  /** Its push service took it (201). */
  'sent',
  /** The service said the device is gone (404, 410): the device was removed. */
  'gone',
  /** Dropped after its tries (429, 5xx, no answer) or refused (another 4xx), or the send queue was full. */
  'failed',
] as const
export type PushResult = typeof PUSH_RESULTS[number]

const counts = {
  framesDelivered: 0,
  slowConsumers: 0,
  /** Publishes timed from request to bus acknowledgement, and their total time (the stats sample's mean). */
  publishes: 0,
  publishSeconds: 0,
  replays: { replayed: 0, reset: 0 } satisfies Record<ReplayResultKind, number>,
  refusals: { caps: 0, shutdown: 0, 401: 0, 403: 0 } satisfies Record<StreamRefusalReason, number>,
  pushes: { sent: 0, gone: 0, failed: 0 } satisfies Record<PushResult, number>,
}

/** Event frames a dispatch wrote to subscribers: called once per dispatch with the count, not per frame. */
export function countFramesDelivered(frames: number): void {
  counts.framesDelivered += frames
}

/** A subscriber cut off for falling more than NUXT_NOTIFY_MAX_QUEUED_BYTES behind. */
export function countSlowConsumer(): void {
  counts.slowConsumers++
}

/** One publish acknowledged by the bus, `seconds` after its request reached the handler. */
export function countPublishDuration(seconds: number): void {
  counts.publishes++
  counts.publishSeconds += seconds
}

export function countReplay(result: ReplayResultKind): void {
  counts.replays[result]++
}

/** A stream refused before its first byte. Other modules (stream caps, topic access) call this. */
export function countRefusal(reason: StreamRefusalReason): void {
  counts.refusals[reason]++
}

/** For a stream route's `authorizeTopics(...).catch(countTopicRefusal)`: counts a 401 or 403, then rethrows. */
export function countTopicRefusal(error: unknown): never {
  const status = (error as { statusCode?: number } | undefined)?.statusCode
  if (status === 401 || status === 403) countRefusal(status === 401 ? '401' : '403')
  throw error
}

export function countPush(result: PushResult): void {
  counts.pushes[result]++
}

export type NotifyCounts = Readonly<{
  framesDelivered: number
  slowConsumers: number
  publishes: number
  publishSeconds: number
  replays: Readonly<Record<ReplayResultKind, number>>
  refusals: Readonly<Record<StreamRefusalReason, number>>
  pushes: Readonly<Record<PushResult, number>>
}>

/** The live counts (read, never written, by the metrics registry and the stats sampler). */
export function readCounts(): NotifyCounts {
  return counts
}
