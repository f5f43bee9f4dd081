/**
 * What operators look at: the hot path's plain counts (and the closed sets of their labels), the
 * Prometheus registry that reads them on scrape, and the per-second admin:stats sampler. No import of
 * server runtime here: the hub and the sinks import this, in unit tests too.
 */
export {
  PUSH_RESULTS, REPLAY_RESULTS, STREAM_REFUSAL_REASONS, countFramesDelivered, countPush, countPublishDuration, countRefusal, countReplay, countTopicRefusal,
  countSlowConsumer, readCounts, type NotifyCounts, type PushResult, type ReplayResultKind, type StreamRefusalReason,
} from './counts'
export { createNotifyMetrics, type MetricsSources, type NotifyMetrics } from './prometheus'
export { createStatsSampler, type StatsSources } from './stats-sampler'
