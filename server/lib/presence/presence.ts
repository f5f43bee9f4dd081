/**
 * Who has a stream open on a topic, on every instance. A user is online when a stream on their own
 * topic `user:<id>` is open somewhere; a shared topic has a count of streams.
 */
export interface Presence {
  /** Streams open on `topic` across every instance (this one's counted at once, the others' as last written). */
  streams(topic: string): Promise<number>
  /** Users with a stream open on their own topic on this instance (the metrics' gauge: no ids leave). */
  onlineUsersHere(): number
  /** Says goodbye (the other instances stop counting this one's streams at once) and stops the refresh. */
  close(): Promise<void>
}

/** What presence reads of the local hub: its subscriber counts per topic, and when they change. */
export interface LocalStreams {
  subscriberCount(topic: string): number
  subscribersByTopic(): Record<string, number>
  /** Called with a subscriber's topics when it joins or leaves. */
  onSubscribersChanged(listener: (topics: ReadonlySet<string>) => void): void
}

const USER_PREFIX = 'user:'

export function isUserTopic(topic: string): boolean {
  return topic.startsWith(USER_PREFIX) && topic.length > USER_PREFIX.length
}

export function countUserTopics(byTopic: Record<string, number>): number {
  let users = 0
  for (const [topic, streams] of Object.entries(byTopic)) if (streams > 0 && isUserTopic(topic)) users++
  return users
}
