import type { DurableStorage } from '#server/lib/broadcast'
import { rememberDurableStorage } from '#server/lib/cloudflare'

/**
 * cloudflare-durable: the preset calls `cloudflare:durable:init` from its Durable Object's
 * constructor. Only the storage is kept here; the hub (and its heartbeat timer) is made on the first
 * request, once the env of the deploy (`NUXT_NOTIFY_*` vars) is known: it is set per request.
 * The hook is not in Nitro's types unless the preset's are loaded, hence the loose signature.
 */
export default defineNitroPlugin((nitroApp) => {
  const hooks = nitroApp.hooks as unknown as {
    hook(name: 'cloudflare:durable:init', fn: (durable: unknown, init: { state: { storage: Partial<DurableStorage> } }) => void): void
  }
  hooks.hook('cloudflare:durable:init', (_durable, { state }) => {
    const { storage } = state
    if (storage.sql && storage.transactionSync) return rememberDurableStorage(storage as DurableStorage)
    // A class created by an older `new_classes` migration is key-value backed: no SQL, no history.
    console.warn('[notify] The Durable Object has no SQLite storage (migrate it with new_sqlite_classes): the broadcast runs on the in-memory bus, without replay across restarts.')
  })
})
