/**
 * The system of record: what must outlast the process (stored topics' events, the inbox's state)
 * in one database, SQLite in a file by default or PostgreSQL for several instances, its schema
 * migrated at start. The live path (hub, buses, replay window) does not depend on it.
 */
export { DEFAULT_SQLITE_PATH, describeLocation, parseDatabaseUrl, type DatabaseLocation } from './database-url'
export { migrate, type MigrationOutcome } from './migrate'
export type { Migration } from './migration'
export { MIGRATIONS } from './migration-list'
export type { SqlDatabase, SqlDialect, SqlRunner, SqlValue } from './sql-database'
export { NotifyStore, openDatabase, openStore, type StoreState } from './store'
export { StoreOpener, StoreUnavailable, type StoreOpenerOptions } from './store-opener'
export { IDEMPOTENCY_TTL_MS, NotificationLog, type AppendResult, type NotificationRow } from './notification-log'
export { countInboxWrite, readStoreCounts, type StoreCounts } from './store-counts'
