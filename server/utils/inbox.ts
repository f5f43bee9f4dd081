import type { H3Event } from 'h3'
import type { InboxChange, InboxChangeSet } from '#shared/types/inbox'
import { STREAM_EVENTS, userTopic } from '#shared/utils/notify'
import { parsePatternList } from '#server/lib/access'
import { refuse } from '#server/lib/http'
import { type InboxRepository, createMemoryInboxRepository, createSqlInboxRepository, inboxChange } from '#server/lib/inbox'

let repository: InboxRepository | undefined

/** True when the stored topics take in every `user:<id>` (the default `user:*`): the database then holds every item. */
function storesEveryUserTopic(): boolean {
  const patterns = parsePatternList(String(useNotifyConfig().storedTopics ?? ''))
  return patterns.some(pattern => pattern.endsWith('*') && 'user:'.startsWith(pattern.slice(0, -1)))
}

/**
 * The process's inbox: in the store's database (SQLite or PostgreSQL), its items the stored
 * `notifications` of each `user:<id>`, shared by every instance on that database. Without a store
 * (Workers) or with user topics not stored, the live history of each user's topic, and the state
 * in this process's memory.
 */
export function useInboxRepository(): InboxRepository {
  if (repository) return repository
  if (hasNotifyStore() && storesEveryUserTopic()) {
    repository = createSqlInboxRepository(async work => (await useNotifyStore()).track(work))
    return repository
  }
  repository = createMemoryInboxRepository(async (userId) => {
    const { events } = await useBroadcastHub().bus.recent(userTopic(userId), useNotifyConfig().historySize)
    return events
      .filter(event => event.event !== STREAM_EVENTS.inbox)
      .map(event => ({ id: event.id, event: event.event, data: event.data, sender: null, at: event.at }))
  })
  return repository
}

/** Seconds a client is told to wait when the database is away (it recovers by itself in about that). */
const RETRY_AFTER_SECONDS = 2

/**
 * Runs a route's inbox work; the database away (not open yet, down, locked) is a 503 with
 * Retry-After that says so, never a 500 with its error.
 */
export async function withInbox<T>(event: H3Event, work: (inbox: InboxRepository) => Promise<T>): Promise<T> {
  try {
    return await work(useInboxRepository())
  }
  catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error
    setResponseHeader(event, 'retry-after', RETRY_AFTER_SECONDS)
    console.error(`[notify] inbox: the store failed: ${(error as Error).message}`)
    refuse('inbox.store-unavailable', 'The inbox\'s store (database) is unavailable. Retry shortly.')
  }
}

/**
 * Tells every tab and device of `userId` (their stream of `user:<id>`, on every instance: through
 * the bus) what changed and the counts after it. Not a notification: an `inbox` event is never an
 * item and never stored. Answers the change, which the writing routes answer too.
 */
export async function publishInboxChange(userId: string, ids: readonly string[], set: InboxChangeSet, at: number): Promise<InboxChange> {
  const change = inboxChange(ids, set, at, await useInboxRepository().counts(userId))
  if (ids.length) await useBroadcastHub().bus.publish({ topic: userTopic(userId), event: STREAM_EVENTS.inbox, data: change }, { stored: false })
  return change
}
