import type { InboxChange, InboxChangeSet } from '#shared/types/inbox'
import { STREAM_EVENTS, userTopic } from '#shared/utils/notify'
import { type InboxRepository, createMemoryInboxRepository, inboxChange } from '#server/lib/inbox'

let repository: InboxRepository | undefined

/**
 * The process's inbox: the items are the live history of each user's topic, their state in this
 * process's memory (one instance; the database's version replaces it, routes unchanged).
 */
export function useInboxRepository(): InboxRepository {
  repository ??= createMemoryInboxRepository(async (userId) => {
    const { events } = await useBroadcastHub().bus.recent(userTopic(userId), useNotifyConfig().historySize)
    return events
      .filter(event => event.event !== STREAM_EVENTS.inbox)
      .map(event => ({ id: event.id, event: event.event, data: event.data, sender: null, at: event.at }))
  })
  return repository
}

/**
 * Tells every tab and device of `userId` (their stream of `user:<id>`, on every instance: through
 * the bus) what changed and the counts after it. Not a notification: an `inbox` event is never an
 * item. Answers the change, which the writing routes answer too.
 */
export async function publishInboxChange(userId: string, ids: readonly string[], set: InboxChangeSet, at: number): Promise<InboxChange> {
  const change = inboxChange(ids, set, at, await useInboxRepository().counts(userId))
  if (ids.length) await useBroadcastHub().bus.publish({ topic: userTopic(userId), event: STREAM_EVENTS.inbox, data: change })
  return change
}
