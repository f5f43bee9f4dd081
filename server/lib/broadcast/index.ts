/**
 * The broadcast: a publish reaches every subscriber of its topic, on every instance, and a client
 * that comes back with Last-Event-ID gets what it missed. The hub fans events out to this
 * process's subscribers; a bus (in memory, or Redis for several instances) carries and remembers them.
 */
export { BroadcastHub } from './hub'
export type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
export { createMemoryBus } from './memory-bus'
export { createRedisBus, type RedisBusOptions } from './redis-bus'
export type { HistoryLimits } from './history'
export { compareEventIds, formatEventId, parseEventId, type EventId } from './event-id'
export { topicsParam } from './topics'
