import type { H3Event } from 'h3'
import type { NitroApp } from 'nitropack/types'
import { createError, defineEventHandler } from 'h3'
import type { useRuntimeConfig } from 'nitropack/runtime'
import { getRouteRules } from 'nitropack/runtime'
import { streamRouteOf } from '#server/lib/http'
import { shareRuntimeConfig } from './shared-runtime-config'

/**
 * The event-stream routes go straight to Nitro's router, past what only pages and assets need.
 *
 * Nitro runs every request through the same pipeline: the `request` hooks of every plugin
 * (@nuxtjs/i18n builds its per-request context there), the static-asset lookup, the route-rules
 * match and merge, the server middleware, the router, then the `beforeResponse` and
 * `afterResponse` hooks. A stream needs the router alone, and it is where a reconnect storm
 * spends its CPU: this pipeline was a third of the server's CPU per connect/leave cycle
 * (bench/README.md, "Numbers behind the code"). Everything else keeps the whole pipeline, as do
 * the stream routes when a route rule matches their path (`routeRules` in nuxt.config: headers,
 * CORS, a proxy...), at another path spelling (a trailing slash), and where the lane is not
 * installed at all (`index.ts`). What runs where: `pipeline-table.ts`.
 *
 * Public APIs only: h3's `app.handler`, Nitro's `router.handler` and `getRouteRules`; the request's
 * runtime config is handed over as `shared-runtime-config.ts` does, checked at start-up.
 */
export function installStreamLane(nitroApp: NitroApp, runtimeConfig: ReturnType<typeof useRuntimeConfig>, onRouter?: (event: H3Event) => void): void {
  const app = nitroApp.h3App
  const wholePipeline = app.handler
  // Route rules depend on the path alone: looked up once per stream route, on its first request.
  const lanes = new Map<string, boolean>()
  const takesLane = (event: H3Event, route: string) => {
    let lane = lanes.get(route)
    if (lane === undefined) lanes.set(route, lane = Object.keys(getRouteRules(event)).length === 0)
    return lane
  }
  app.handler = defineEventHandler(async (event) => {
    const route = streamRouteOf(event.path)
    if (route === undefined || !takesLane(event, route)) return wholePipeline(event)
    // What Nitro's own request setup gives a route handler: its error list and the runtime config.
    shareRuntimeConfig(event, runtimeConfig)
    onRouter?.(event)
    await nitroApp.router.handler(event)
    // A stream route writes its own response (what it returns is not sent): one that returned without
    // writing it, to a client still there, is a bug, not a hang.
    if (!event.handled && !event.node.res.closed) throw createError({ statusCode: 500, statusMessage: 'Internal Server Error', message: 'The stream route sent no response.' })
  })
}
