import type { H3Event } from 'h3'
import { isOwnRoute } from '#server/lib/http'

/**
 * @nuxtjs/i18n's server plugin calls `useRuntimeConfig(event)` in a `request` hook, on every request
 * (nuxt-modules/i18n#4144, open in 10.6.0). That call deep-clones the whole runtime config and re-reads
 * the environment each time: the cost server/utils/notify-config.ts took off our hot paths, back on
 * every stream connection and API call (measured here: /api/health at well under half its requests
 * per second). For our own routes the per-request copy would hold exactly the process-wide values, so
 * the process-wide config is handed out as that request's copy. Pages are left alone: their render may
 * need the per-request one (platform env on edge presets).
 */
export default defineNitroPlugin((nitroApp) => {
  const shared = useRuntimeConfig()
  // beforeEach, not a `request` hook: it runs ahead of every plugin's handlers whatever their order.
  // `request` is called with the event alone; some hookable versions put the hook's name before it.
  nitroApp.hooks.beforeEach(({ name, args }) => {
    if (name !== 'request') return
    const event = args.at(-1) as H3Event | undefined
    if (typeof event?.path !== 'string' || !isOwnRoute(event.path)) return
    event.context.nitro ??= { errors: [] }
    event.context.nitro.runtimeConfig ??= shared
  })
})
