/**
 * The broadcast: a publish reaches every subscriber of its topic, on every instance, and a client
 * that comes back with Last-Event-ID gets what it missed. The hub fans events out to this
 * process's subscribers; a bus (in memory, Redis for several instances, or a Durable Object's storage)
 * carries and remembers them.
 */
export { BroadcastHub } from './hub'
export type { BusEvent, EventBus, PublishInput, RecentResult, ReplayResult } from './bus'
export { createMemoryBus } from './memory-bus'
export { createRedisBus, type RedisBusOptions } from './redis-bus'
export { createDurableBus, type DurableStorage } from './durable-bus'
export type { HistoryLimits } from './history'
export { compareEventIds, formatEventId, parseEventId, type EventId } from './event-id'
export { topicsParam } from './topics'
