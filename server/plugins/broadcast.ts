import { WORKER_PRESET } from '#server/lib/runtime'

/**
 * Starts the broadcast hub with the server (on Redis, its reading loop is then in place before the
 * first subscriber arrives) and ends its streams when Nitro closes, so clients reconnect elsewhere
 * with their ids.
 */
export default defineNitroPlugin((nitroApp) => {
  // A Worker's start-up may not start the hub's heartbeat timer: there it starts on first use.
  if (!WORKER_PRESET) useBroadcastHub()
  nitroApp.hooks.hook('close', closeBroadcastHub)
})
