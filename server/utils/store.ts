import type { StoreHealth } from '#shared/types/notify'
import { type BusEvent, type StoredEventLog, createBusEvent } from '#server/lib/broadcast'
import { type NotificationRow, type NotifyStore, StoreOpener, StoreUnavailable, parseDatabaseUrl } from '#server/lib/store'
import { NITRO_PRESET, SERVERLESS_PRESET, WORKER_PRESET } from '#server/lib/runtime'

let opener: StoreOpener | undefined
let off: string | undefined

/**
 * Why this build runs without a store, or undefined when it has one: Workers have neither node:sqlite
 * nor a file system (the cloudflare presets' Durable Object keeps its own history); a serverless
 * instance's file would be its own and short-lived; a runtime without node:sqlite has no embedded
 * database. PostgreSQL works on every Node-like one.
 */
function storeOffReason(): string | undefined {
  if (WORKER_PRESET) return `the ${NITRO_PRESET} preset has no database connection`
  const location = parseDatabaseUrl(String(useNotifyConfig().databaseUrl ?? ''))
  if (location.dialect === 'sqlite' && SERVERLESS_PRESET) return `a ${NITRO_PRESET} instance's SQLite file is its own (set NUXT_NOTIFY_DATABASE_URL=postgres://...)`
  if (location.dialect === 'sqlite' && !globalThis.process?.getBuiltinModule?.('node:sqlite')) return 'this runtime has no node:sqlite (set NUXT_NOTIFY_DATABASE_URL=postgres://...)'
  return undefined
}

/** Starts opening (and migrating) the process's store; server/plugins/store.ts calls it at start. */
export function startNotifyStore(): void {
  if (opener || off) return
  off = storeOffReason()
  if (off) {
    console.warn(`[notify] Store off: ${off}; stored topics are kept in the live history only.`)
    return
  }
  opener = new StoreOpener(parseDatabaseUrl(String(useNotifyConfig().databaseUrl ?? '')), { log: line => console.log(line) })
  opener.start()
}

/**
 * The process's open store (SQLite or PostgreSQL, migrated). Waits up to `waitMs` while it is still
 * being opened, then throws StoreUnavailable (a route answers 503 with Retry-After).
 */
export function useNotifyStore(waitMs = 2000): Promise<NotifyStore> {
  startNotifyStore()
  if (!opener) return Promise.reject(new StoreUnavailable(`the store is off: ${off}`))
  return opener.get(waitMs)
}

/** Whether this build has a store at all (false on Workers: stored topics are off there). */
export function hasNotifyStore(): boolean {
  startNotifyStore()
  return !!opener
}

export function notifyStoreHealth(): StoreHealth {
  if (!opener) return 'off'
  return opener.current?.state ?? 'down'
}

let sweeping = false

/**
 * Deletes stored events older than NUXT_NOTIFY_RETENTION_DAYS, in small batches (NotificationLog.sweep);
 * skipped while the store is closed or a sweep is still running. Never throws.
 */
export async function sweepNotifyStore(): Promise<void> {
  const store = opener?.current
  if (!store || sweeping) return
  sweeping = true
  try {
    const days = Number(useNotifyConfig().retentionDays)
    await store.notifications.sweep(Date.now() - days * 24 * 60 * 60_000)
  }
  catch (error) {
    console.warn(`[notify] Store: the retention sweep failed (${(error as Error)?.message ?? error}); it runs again later.`)
  }
  finally {
    sweeping = false
  }
}

export async function closeNotifyStore(): Promise<void> {
  const closing = opener
  opener = undefined
  await closing?.close()
}

function busEventOf(row: NotificationRow): BusEvent {
  return createBusEvent([Number(row.ms), Number(row.seq)], { topic: row.topic, event: row.event, data: JSON.parse(row.data) }, Number(row.created_at))
}

/** The stored topics' view of the store (server/lib/broadcast's StoredEventLog), once it is open. */
export async function openStoredEventLog(): Promise<StoredEventLog> {
  const { notifications } = await useNotifyStore()
  return {
    idempotencyRecord: (scope, key) => notifications.idempotencyRecord(scope, key),
    append: (event, sender, claim) => notifications.append({
      topic: event.topic,
      id: event.id,
      ms: event.order[0],
      seq: event.order[1],
      event: event.event,
      data: JSON.stringify(event.data),
      sender,
      created_at: event.at,
    }, claim),
    after: async (topics, after, limit) => (await notifications.after(topics, after, limit)).map(busEventOf),
    newest: async (topic, limit) => (await notifications.newest(topic, limit)).map(busEventOf),
    newestId: () => notifications.newestId(),
  }
}
