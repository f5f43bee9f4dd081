/**
 * Web Push: says once at start why push is off (no VAPID keys, no store), and stops its retries
 * when Nitro closes.
 */
export default defineNitroPlugin((nitroApp) => {
  const { problem } = usePushConfig()
  if (problem) console.info(`[notify] Web Push is off: ${problem}.`)
  nitroApp.hooks.hook('close', closePush)
})
