import type { NitroApp } from 'nitropack/types'
import { setResponseHeaders } from 'h3'
import { isStreamRoute } from '#server/lib/http'

/**
 * Security headers on pages, assets, API answers and errors: what a `/**` route rule used to set.
 * A route rule costs every request a route match and a deep merge of the matched rules (defu; see
 * bench/README.md, "Numbers behind the code"), and leaves three more headers in the response's
 * header store for the life of each stream. The event streams are never rendered as a document or
 * run as a script, so they go without; the `request` hook runs before every handler, Nitro's static
 * assets included.
 */
export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
} as const

export function setSecurityHeaders(nitroApp: NitroApp): void {
  nitroApp.hooks.hook('request', (event) => {
    if (!isStreamRoute(event.path)) setResponseHeaders(event, SECURITY_HEADERS)
  })
}
