import type { NotifyStore, SqlDatabase } from '#server/lib/store'
import { MAX_DEVICES_PER_USER, type PushSubscriptions, type StoredSubscription } from './subscriptions'

interface DeviceRow {
  endpoint: string
  p256dh: string
  auth: string
  expiration_time: number | null
}

/**
 * The devices and switches in the store's database (migration 002: `push_subscriptions`,
 * `push_settings`), the same SQL on SQLite and PostgreSQL. `store` is asked for on each call: it
 * may still be opening (or reopening) and then answers StoreUnavailable.
 */
export function sqlSubscriptions(store: () => Promise<NotifyStore>): PushSubscriptions {
  const on = async <T>(work: (db: SqlDatabase) => Promise<T>): Promise<T> => (await store()).track(work)

  return {
    save: (userId, subscription) => on(db => db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO push_subscriptions (endpoint, user_id, p256dh, auth, expiration_time, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
           expiration_time = excluded.expiration_time, created_at = excluded.created_at`,
        [subscription.endpoint, userId, subscription.keys.p256dh, subscription.keys.auth, subscription.expirationTime ?? null, Date.now()],
      )
      // A browser that subscribes again leaves its old endpoint behind: the oldest beyond the cap go.
      await tx.run(
        `DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint NOT IN
           (SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, endpoint LIMIT ${MAX_DEVICES_PER_USER})`,
        [userId, userId],
      )
    })),
    remove: async (userId, endpoint) => (await on(db => db.run('DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?', [userId, endpoint]))).changes > 0,
    forget: async (userId, endpoint) => {
      await on(db => db.run('DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?', [userId, endpoint]))
    },
    list: async (userId) => {
      const rows = await on(db => db.all<DeviceRow>('SELECT endpoint, p256dh, auth, expiration_time FROM push_subscriptions WHERE user_id = ? ORDER BY created_at', [userId]))
      return rows.map((row): StoredSubscription => ({ endpoint: row.endpoint, keys: { p256dh: row.p256dh, auth: row.auth }, expirationTime: row.expiration_time === null ? null : Number(row.expiration_time) }))
    },
    enabled: async (userId) => {
      const row = await on(db => db.get<{ enabled: number }>('SELECT enabled FROM push_settings WHERE user_id = ?', [userId]))
      return !row || Number(row.enabled) !== 0
    },
    setEnabled: async (userId, enabled) => {
      await on(db => db.run(
        'INSERT INTO push_settings (user_id, enabled) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled',
        [userId, enabled ? 1 : 0],
      ))
    },
  }
}
