import type { Migration } from '../migration'

/**
 * The inbox's own state of each item (server/lib/inbox): when it was first shown (seen), read and
 * archived, ms since the epoch or NULL. An item is a row of `notifications` of the topic
 * `user:<id>`, so the row is keyed by that topic (the user) and the event id, and it goes with its
 * notification when retention sweeps it (ON DELETE CASCADE). No row: nothing set yet.
 */
export default {
  version: 2,
  name: 'inbox-state',
  sqlite: [
    `CREATE TABLE inbox_state (
      topic TEXT NOT NULL,
      ms INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      seen_at INTEGER,
      read_at INTEGER,
      archived_at INTEGER,
      PRIMARY KEY (topic, ms, seq),
      FOREIGN KEY (topic, ms, seq) REFERENCES notifications (topic, ms, seq) ON DELETE CASCADE
    ) WITHOUT ROWID`,
  ],
  postgresql: [
    `CREATE TABLE inbox_state (
      topic TEXT NOT NULL,
      ms BIGINT NOT NULL,
      seq INTEGER NOT NULL,
      seen_at BIGINT,
      read_at BIGINT,
      archived_at BIGINT,
      PRIMARY KEY (topic, ms, seq),
      FOREIGN KEY (topic, ms, seq) REFERENCES notifications (topic, ms, seq) ON DELETE CASCADE
    )`,
  ],
} satisfies Migration
