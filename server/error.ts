import type { NitroErrorHandler } from 'nitropack/types'
import { getRequestURL, send, setResponseHeaders, setResponseStatus } from 'h3'
import { isOwnRoute } from '#server/lib/http'

/**
 * API and stream errors (/api/**, /notify/**) without the request URL. Nitro's default JSON error echoes the full URL (and logs it
 * with every 5xx), but a stream's URL carries topic names and may carry `?access_token=`: here
 * the body is only `statusCode`, `statusMessage`, `message` (and `data`), and a 5xx is logged with
 * the path alone. Pages fall through to Nuxt's error page.
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
  return send(event, JSON.stringify({
    statusCode,
    statusMessage,
    message: sensitive ? 'Server Error' : unrouted ? `No route answers ${event.method} ${pathname}.` : error.message,
    data: sensitive || unrouted ? undefined : error.data,
  }, null, 2))
}

export default apiErrorHandler
