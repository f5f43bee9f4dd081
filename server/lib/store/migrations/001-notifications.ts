import type { Migration } from '../migration'

/**
 * Stored topics' events (NUXT_NOTIFY_STORED_TOPICS): one row per event, as published. The primary
 * key orders a topic's events by id (`<ms>-<seq>`, kept as its two numbers); `(ms, seq)` finds the
 * newest id of all at start (ids keep rising across restarts); `created_at` feeds the retention sweep.
 */
export default {
  version: 1,
  name: 'notifications',
  sqlite: [
    `CREATE TABLE notifications (
      topic TEXT NOT NULL,
      id TEXT NOT NULL,
      ms INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      event TEXT NOT NULL,
      data TEXT NOT NULL,
      sender TEXT,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (topic, ms, seq)
    ) WITHOUT ROWID`,
    'CREATE INDEX notifications_ms_seq ON notifications (ms, seq)',
    'CREATE INDEX notifications_created_at ON notifications (created_at)',
  ],
  postgresql: [
    `CREATE TABLE notifications (
      topic TEXT NOT NULL,
      id TEXT NOT NULL,
      ms BIGINT NOT NULL,
      seq INTEGER NOT NULL,
      event TEXT NOT NULL,
      data TEXT NOT NULL,
      sender TEXT,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (topic, ms, seq)
    )`,
    'CREATE INDEX notifications_ms_seq ON notifications (ms, seq)',
    'CREATE INDEX notifications_created_at ON notifications (created_at)',
  ],
} satisfies Migration
