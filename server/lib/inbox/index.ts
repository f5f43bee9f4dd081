/** The inbox: its items' seen, read and archived state per user, the routes' bodies, and the `inbox` change event. */
export { inboxChange } from './changes'
export { readInboxBody, INBOX_BODY_LIMIT } from './json-body'
export { createMemoryInboxRepository, type SourceItem } from './memory-repository'
export type { InboxQuery, InboxRepository, InboxTarget } from './repository'
export { createSqlInboxRepository, type WithDatabase } from './sql-repository'
export { inboxPatchSchema, inboxQuerySchema, inboxReadAllSchema, inboxSeenSchema } from './schemas'
