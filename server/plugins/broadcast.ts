/** Ends the broadcast streams when Nitro closes, so clients reconnect elsewhere with their ids. */
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('close', closeBroadcastHub)
})
