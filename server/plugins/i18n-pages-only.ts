import type { H3Event } from 'h3'
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
 * Pages, the i18n message route and errors rendered as pages keep it. On the Node presets the stream
 * routes don't reach any `request` hook (server/plugins/stream-lane.ts): this is for the Cloudflare
 * presets, where that lane is off, and for a stream path a route rule keeps in the whole pipeline.
 *
 * This reads hookable's `_hooks` and recognises the hook by the function it calls: guarded on
 * both counts, and looked for during the first requests, with a warning when not found (an i18n
 * upgrade then costs speed, never correctness: the hook simply keeps running everywhere).
 */
const I18N_REQUEST_HOOK = /\binitializeI18nContext\b/
// Requests it is looked for before each: i18n registers it after an await of its own, by the first.
const LOOK_FOR_REQUESTS = 20

function wrapI18nRequestHook(store: HookStore): boolean {
  const hooks = store._hooks?.request
  if (!Array.isArray(hooks)) return false
  const index = hooks.findIndex(hook => typeof hook === 'function' && I18N_REQUEST_HOOK.test(Function.prototype.toString.call(hook)))
  if (index === -1) return false
  const i18nHook = hooks[index]!
  hooks[index] = event => isStreamRoute(event.path) ? undefined : i18nHook(event)
  return true
}

export default defineNitroPlugin((nitroApp) => {
  const store = nitroApp.hooks as unknown as HookStore
  // Looked for before each request, not on a timer: a Worker refuses timers at start-up.
  let looked = 0
  const stopLooking = nitroApp.hooks.beforeEach(({ name }) => {
    if (name !== 'request') return
    const found = wrapI18nRequestHook(store)
    if (!found && ++looked < LOOK_FOR_REQUESTS) return
    stopLooking()
    if (!found) {
      console.warn('[notify] @nuxtjs/i18n\'s request hook (initializeI18nContext) was not found '
        + '(server/plugins/i18n-pages-only.ts): event streams keep paying for it. '
        + 'Check the @nuxtjs/i18n version against that plugin.')
    }
  })
})
