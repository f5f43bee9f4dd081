import type { Migration } from '../migration'

/**
 * `Idempotency-Key` of publishes to stored topics: per publisher (`scope`), the key, the hash of the
 * body it came with and the id of the event it published, written in the same transaction as that
 * event, so a retry finds it exactly when the event is stored. Swept after 24 hours (`created_at`).
 * Version 3: 2 is the inbox's state (002-inbox-state.ts, on its branch).
 */
export default {
  version: 3,
  name: 'idempotency-keys',
  sqlite: [
    `CREATE TABLE idempotency_keys (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      body_hash TEXT NOT NULL,
      topic TEXT NOT NULL,
      event_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (scope, key)
    ) WITHOUT ROWID`,
    'CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)',
  ],
  postgresql: [
    `CREATE TABLE idempotency_keys (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      body_hash TEXT NOT NULL,
      topic TEXT NOT NULL,
      event_id TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (scope, key)
    )`,
    'CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)',
  ],
} satisfies Migration
