import type { InboxChangeSet, InboxCounts, InboxItem, InboxStatus } from '#shared/types/inbox'

export interface InboxQuery {
  status: InboxStatus
  /** Only items older than this id (the previous page's `next`). */
  before?: string
  limit: number
}

/** The items of what is being changed: these ids, or every item up to this id. */
export type InboxTarget = { ids: readonly string[] } | { upTo: string }

/**
 * Where the inbox's items and their read state are kept, per user. The items are the
 * notifications of the user's topic `user:<id>`; the state (seen, read, archived times) is the
 * inbox's own. The routes only see this interface: the database is one implementation of it.
 */
export interface InboxRepository {
  /** One page, newest first, and the `before=` of the next one (null: no older item of this status). */
  list(userId: string, query: InboxQuery): Promise<{ items: InboxItem[], next: string | null }>
  counts(userId: string): Promise<InboxCounts>
  /**
   * Applies `set` at time `at` (ms) to the user's own items of `target`; reading marks seen too.
   * Answers the ids it changed (an id that is not one of theirs, or already so, is not changed),
   * or undefined for `{ ids }` when one of them is not theirs at all.
   */
  change(userId: string, target: InboxTarget, set: InboxChangeSet, at: number): Promise<string[] | undefined>
  /** Read-all: every unread item (up to `upTo`, if given) marked read at `at`. Answers the ids changed. */
  readAll(userId: string, upTo: string | undefined, at: number): Promise<string[]>
}
