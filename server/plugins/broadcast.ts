import { WORKER_PRESET } from '#server/lib/runtime'

/**
 * Starts the broadcast hub with the server (on Redis, its reading loop is then in place before the
 * first subscriber arrives), with presence, and ends its streams when Nitro closes, so clients reconnect elsewhere
 * with their ids.
 */
export default defineNitroPlugin((nitroApp) => {
  // A Worker's start-up may not start the hub's heartbeat timer: there it starts on first use.
  // Presence with it: every stream from the first one on is counted across instances.
  if (!WORKER_PRESET) usePresence()
  nitroApp.hooks.hook('close', closeBroadcastHub)
})
