import type { H3Error, H3Event } from 'h3'
import type { NitroErrorHandler } from 'nitropack/types'
import { getRequestURL, send, setResponseHeaders, setResponseStatus } from 'h3'
import { isOwnRoute } from '#server/lib/http'
import { isRefusalCode, refusalCodeOfStatus } from '#shared/utils/refusals'

/**
 * API and stream errors (/api/**, /notify/**) without the request URL. Nitro's default JSON error echoes the full URL (and logs it
 * with every 5xx), but a stream's URL carries topic names and may carry `?access_token=`: here
 * the body is only `statusCode`, `statusMessage`, `code`, `message` (and `data`), and a 5xx is logged
 * with the path alone. `code` is the refusal's stable code (shared/utils/refusals.ts), lifted out of
 * `data`; an error thrown without one (h3's 405, a crash) gets its status's. Pages fall through to
 * Nuxt's error page, without their query (pageErrorWithoutQuery).
 */
/** The reason phrase of an error thrown without one (nuxt-auth-utils' `requireUserSession` 401 has none). */
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 503: 'Service Unavailable',
}

const apiErrorHandler: NitroErrorHandler = (error, event) => {
  const { pathname } = getRequestURL(event)
  if (!isOwnRoute(pathname)) return pageErrorWithoutQuery(error, event)
  const sensitive = error.unhandled || error.fatal
  const statusCode = error.statusCode || 500
  // No route took it (an unknown path, or another method on a method-suffixed route): the page
  // renderer's 404 names the URL, query included; say it with the path alone.
  const unrouted = statusCode === 404 && /^Page not found/.test(error.statusMessage ?? '')
  const statusMessage = sensitive ? 'Server Error' : unrouted ? 'Not Found' : error.statusMessage || REASONS[statusCode] || (statusCode < 500 ? 'Error' : 'Server Error')
  if (sensitive) console.error(`[request error] [${event.method}] ${pathname}`, error)
  setResponseHeaders(event, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'script-src \'none\'; frame-ancestors \'none\';',
  })
  setResponseStatus(event, statusCode, statusMessage)
  const { code, ...rest } = isRecord(error.data) ? error.data : {}
  const data = isRecord(error.data) ? (Object.keys(rest).length ? rest : undefined) : error.data
  return send(event, JSON.stringify({
    statusCode,
    statusMessage,
    code: !sensitive && isRefusalCode(code) ? code : refusalCodeOfStatus(sensitive ? 500 : statusCode),
    message: sensitive ? 'Server Error' : unrouted ? `No route answers ${event.method} ${pathname}.` : error.message,
    data: sensitive || unrouted ? undefined : data,
  }, null, 2))
}

/**
 * A page's error goes on to Nuxt's handler (the error page, or JSON to a client that asks for it) and
 * Nitro's, which put the request URL in the body as `url`, in the log line of a 5xx, and the router's
 * 404 in the reason phrase, `message` and `data.path` ("Page not found: /x?access_token=..."). A
 * URL's query may carry a token or private topics (`/API/notify/events?...` is a page path): they
 * are handed the path alone, and the error's words lose the query.
 */
function pageErrorWithoutQuery(error: H3Error, event: H3Event): void {
  const at = event.path.indexOf('?')
  if (at === -1) return
  const query = event.path.slice(at)
  // Every URL they read (h3's getRequestURL reads `originalUrl` first) is the path alone from here on.
  const req = event.node.req as typeof event.node.req & { originalUrl?: string }
  event._path = req.url = event.path.slice(0, at)
  if (req.originalUrl) req.originalUrl = req.originalUrl.split('?')[0]
  const path = event.path
  // The router's own 404 names `to.fullPath`, its query re-encoded in vue-router's way: said again from the path.
  if (error.statusCode === 404 && /^Page not found/.test(error.statusMessage ?? '')) {
    error.statusMessage = error.message = `Page not found: ${path}`
    error.data = { path }
    return
  }
  const spellings = [...new Set([query, safeDecode(query)])]
  const strip = (text: string) => spellings.reduce((rest, spelling) => rest.split(spelling).join(''), text)
  if (error.statusMessage) error.statusMessage = strip(error.statusMessage)
  if (error.message) error.message = strip(error.message)
  const data = error.data as { path?: unknown } | undefined
  if (data && typeof data === 'object' && typeof data.path === 'string') error.data = { ...data, path: strip(data.path) }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  }
  catch {
    return text
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value)
}

export default apiErrorHandler
