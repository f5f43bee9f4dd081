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
 * Nuxt's error page.
 */
const apiErrorHandler: NitroErrorHandler = (error, event) => {
  const { pathname } = getRequestURL(event)
  if (!isOwnRoute(pathname)) return
  const sensitive = error.unhandled || error.fatal
  const statusCode = error.statusCode || 500
  // No route took it (an unknown path, or another method on a method-suffixed route): the page
  // renderer's 404 names the URL, query included; say it with the path alone.
  const unrouted = statusCode === 404 && /^Page not found/.test(error.statusMessage ?? '')
  const statusMessage = sensitive ? 'Server Error' : unrouted ? 'Not Found' : error.statusMessage || 'Server Error'
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value)
}

export default apiErrorHandler
