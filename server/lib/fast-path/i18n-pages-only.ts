import type { H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { isStreamRoute } from '#server/lib/http'

type RequestHook = (event: H3Event) => unknown
interface HookStore { _hooks?: Record<string, RequestHook[] | undefined> }

/**
 * @nuxtjs/i18n 10's server plugin sets up its per-request context in a `request` hook, for every
 * request: `async (event) => { await initializeI18nContext(event) }` (runtime/server/plugin.js). It
 * builds the vue-i18n options and locale configs and parses the request URL, only for the page
 * render to read (`event.context.nuxtI18n`); no API route or stream of ours does (measured: it
 * raised the connect/leave churn from 1.56x to 1.77x bare node:http). The module has no option to
 * keep it off API routes, so that hook is wrapped here to skip the event-stream routes, where the
 * connects are. Only those: another API path, or another method on a method-suffixed route (DELETE
 * /api/notify/stats), falls through to the page renderer, which needs that context (without it,
 * a 500 "Nuxt I18n server context has not been set up yet"; the fuzz test sends such requests).
 * Wherever the lane is on (every preset but the Cloudflare ones) the stream routes reach no `request` hook at all: this is for the
 * Cloudflare presets, and for a stream path a route rule keeps in the whole pipeline.
 */
export const I18N_REQUEST_HOOK = /\binitializeI18nContext\b/

export const I18N_HOOK_NOT_FOUND = '[notify] @nuxtjs/i18n\'s request hook (initializeI18nContext) was not found '
  + '(server/lib/fast-path/i18n-pages-only.ts): event streams keep the whole of it. '
  + 'Check the @nuxtjs/i18n version against that file.'

/**
 * Hookable's `_hooks` and the hook's source are internals: both are checked once, before the first
 * request (i18n registers its hook after an await of its own, so not at plugin time; it is there by
 * the first request), and when either is not what it was the hook keeps running on every route,
 * with one line in the log: an i18n upgrade then costs speed, never correctness.
 */
export function keepI18nToPages(nitroApp: NitroApp, onChecked: (found: boolean) => void): void {
  const store = nitroApp.hooks as unknown as HookStore
  const stopLooking = nitroApp.hooks.beforeEach(({ name }) => {
    if (name !== 'request') return
    stopLooking()
    const found = wrapI18nRequestHook(store)
    if (!found) console.warn(I18N_HOOK_NOT_FOUND)
    onChecked(found)
  })
}

function wrapI18nRequestHook(store: HookStore): boolean {
  const hooks = store._hooks?.request
  if (!Array.isArray(hooks)) return false
  const index = hooks.findIndex(hook => typeof hook === 'function' && I18N_REQUEST_HOOK.test(Function.prototype.toString.call(hook)))
  if (index === -1) return false
  const i18nHook = hooks[index]!
  hooks[index] = event => isStreamRoute(event.path) ? undefined : i18nHook(event)
  return true
}
