/**
 * What operators look at: the hot path's plain counts (and the closed sets of their labels), the
 * Prometheus registry that reads them on scrape, the per-second admin:stats sampler, and the admin
 * token that guards both.
 */
export {
  REPLAY_RESULTS, STREAM_REFUSAL_REASONS, countFramesDelivered, countPublishDuration, countRefusal, countReplay,
  countSlowConsumer, readCounts, type NotifyCounts, type ReplayResultKind, type StreamRefusalReason,
} from './counts'
export { createNotifyMetrics, type MetricsSources, type NotifyMetrics } from './prometheus'
export { createStatsSampler, type StatsSources } from './stats-sampler'
export { requireAdminToken } from './admin-token'
