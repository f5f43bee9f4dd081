import { type LocalStreams, type Presence, countUserTopics } from './presence'

/** One process (the memory bus, a Durable Object): the hub's own counts are the whole truth. */
export function createMemoryPresence(local: LocalStreams): Presence {
  return {
    streams: topic => Promise.resolve(local.subscriberCount(topic)),
    onlineUsersHere: () => countUserTopics(local.subscribersByTopic()),
    close: () => Promise.resolve(),
  }
}
