/**
 * The broadcast: a publish reaches every subscriber of its topic, on every instance, and a client
 * that comes back with Last-Event-ID gets what it missed. The hub fans events out to this
 * process's subscribers; a bus carries and remembers them: in memory, on Redis for several instances
 * (routed by topic, on one Redis or a Redis Cluster alike), or in a Durable
 * Object's storage.
 */
export { BroadcastHub } from './hub'
export { createBusEvent, DuplicatePublish, type BusEvent, type EventBus, type PublishInput, type PublishOptions, type RecentResult, type ReplayResult } from './bus'
export { storeUnavailable, withStoredTopics, type StoredEventLog, type StoredTopicsOptions } from './stored-topics-bus'
export { createMemoryBus } from './memory-bus'
export { createDurableBus, type DurableStorage } from './durable-bus'
export { createRoutedRedisBus, type RoutedRedisBusOptions } from './routed-redis-bus'
export type { HistoryLimits } from './history'
export { compareEventIds, formatEventId, parseEventId, type EventId } from '#shared/utils/event-id'
export { topicsParam } from './topics'
export { countPublicPublishes, type PublicCountingBus } from './public-count'
export { presenceKey, slotOf } from './topic-keys'
