import type { Migration } from '../migration'

/**
 * Web Push (docs/push.md): the users' devices, one row per push endpoint (an endpoint is one
 * browser's subscription, of one user), found by user; and the users' switch (no row = on).
 */
export default {
  version: 4,
  name: 'push-subscriptions',
  sqlite: [
    `CREATE TABLE push_subscriptions (
      endpoint TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      p256dh TEXT NOT NULL,
      auth TEXT NOT NULL,
      expiration_time INTEGER,
      created_at INTEGER NOT NULL
    )`,
    'CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at)',
    'CREATE TABLE push_settings (user_id TEXT PRIMARY KEY, enabled INTEGER NOT NULL)',
  ],
  postgresql: [
    `CREATE TABLE push_subscriptions (
      endpoint TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      p256dh TEXT NOT NULL,
      auth TEXT NOT NULL,
      expiration_time BIGINT,
      created_at BIGINT NOT NULL
    )`,
    'CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at)',
    'CREATE TABLE push_settings (user_id TEXT PRIMARY KEY, enabled INTEGER NOT NULL)',
  ],
} satisfies Migration
