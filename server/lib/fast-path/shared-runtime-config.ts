import type { H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { useRuntimeConfig } from 'nitropack/runtime'
import { isOwnRoute } from '#server/lib/http'

type RuntimeConfig = ReturnType<typeof useRuntimeConfig>

/**
 * Where Nitro 2's `useRuntimeConfig(event)` keeps a request's copy: `event.context.nitro.runtimeConfig`,
 * made on first use. Not a public API: checked once at start-up, on an event of our own, that a copy
 * put there is the one handed out; without that, nothing is put there (each request makes its copy).
 */
export function runtimeConfigSlotWorks(shared: RuntimeConfig): boolean {
  const probe = { context: { nitro: { errors: [], runtimeConfig: shared } } } as unknown as H3Event
  try {
    return useRuntimeConfig(probe) === shared
  }
  catch {
    return false
  }
}

/** The process-wide config as the request's own copy (the stream lane does the same for its routes). */
export function shareRuntimeConfig(event: H3Event, shared: RuntimeConfig): void {
  event.context.nitro ??= { errors: [] }
  event.context.nitro.runtimeConfig ??= shared
}

/**
 * @nuxtjs/i18n's server plugin calls `useRuntimeConfig(event)` in a `request` hook, on every request
 * (nuxt-modules/i18n#4144, open in 10.6.0). That call deep-clones the whole runtime config and re-reads
 * the environment each time: the cost server/utils/notify-config.ts took off our hot paths, back on
 * every API call (measured here: /api/health at well under half its requests per second). For our own
 * routes the per-request copy would hold exactly the process-wide values, so the process-wide config
 * is handed out as that request's copy. Pages are left alone: their render may need the per-request
 * one (platform env on edge presets).
 */
export function shareRuntimeConfigWithOwnRoutes(nitroApp: NitroApp, shared: RuntimeConfig): void {
  // beforeEach, not a `request` hook: it runs ahead of every plugin's handlers whatever their order.
  // `request` is called with the event alone; some hookable versions put the hook's name before it.
  nitroApp.hooks.beforeEach(({ name, args }) => {
    if (name !== 'request') return
    const event = args.at(-1) as H3Event | undefined
    if (typeof event?.path === 'string' && isOwnRoute(event.path)) shareRuntimeConfig(event, shared)
  })
}
