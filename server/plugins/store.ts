/**
 * Opens the store (server/lib/store) with the server and migrates its schema before the first
 * request needs it; closes it when Nitro closes (after in-flight publishes have finished), so the
 * last commits are on disk and PostgreSQL connections end cleanly.
 */
export default defineNitroPlugin((nitroApp) => {
  startNotifyStore()
  nitroApp.hooks.hook('close', closeNotifyStore)
})
