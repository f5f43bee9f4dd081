/**
 * Presence: who has a stream open on a topic, on every instance: in memory for one process, on
 * Redis (one or a cluster, under the bus's key prefix) for several, with entries that expire when
 * an instance dies without a goodbye.
 */
export { countUserTopics, isUserTopic, type LocalStreams, type Presence } from './presence'
export { createMemoryPresence } from './memory-presence'
export { createRedisPresence, type RedisPresenceOptions } from './redis-presence'
