/** How often the retention sweeper looks for stored events past NUXT_NOTIFY_RETENTION_DAYS. */
const SWEEP_EVERY_MS = 10 * 60_000

/**
 * Opens the store (server/lib/store) with the server and migrates its schema before the first
 * request needs it; sweeps what is past the retention now and then; closes it when Nitro closes
 * (after in-flight publishes have finished), so the last commits are on disk and PostgreSQL
 * connections end cleanly.
 */
export default defineNitroPlugin((nitroApp) => {
  startNotifyStore()
  nitroApp.hooks.hook('close', closeIdempotencyKeys)
  if (!hasNotifyStore()) return
  const sweeper = setInterval(() => void sweepNotifyStore(), SWEEP_EVERY_MS)
  sweeper.unref?.()
  // The first sweep soon after start, once the store is open.
  const first = setTimeout(() => void sweepNotifyStore(), 30_000)
  first.unref?.()
  nitroApp.hooks.hook('close', async () => {
    clearInterval(sweeper)
    clearTimeout(first)
    await closeNotifyStore()
  })
})
