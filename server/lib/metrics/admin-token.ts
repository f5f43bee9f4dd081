import type { H3Event } from 'h3'
import { createError, getCookie, getQuery, getRequestHeader, setResponseHeader } from 'h3'
import { tokensMatch } from '#server/lib/access'

/**
 * The token a request carries, from the sources every route reads, in order: `Authorization:
 * Bearer`, the `notify_token` cookie, `?access_token=` (an EventSource can send no header).
 */
function requestToken(event: H3Event): string | undefined {
  const header = /^Bearer\s+(.+)$/i.exec(getRequestHeader(event, 'authorization') ?? '')?.[1]?.trim()
  if (header) return header
  const cookie = getCookie(event, 'notify_token')
  if (cookie) return cookie
  const query = getQuery(event).access_token
  return typeof query === 'string' && query !== '' ? query : undefined
}

/**
 * Operators only (the metrics, the admin:stats topic): 503 when no admin token is configured, 401
 * (with WWW-Authenticate) when the request's is missing or wrong; compared in constant time.
 */
export async function requireAdminToken(event: H3Event, expected: string): Promise<void> {
  if (!expected) {
    throw createError({
      statusCode: 503,
      statusMessage: 'Service Unavailable',
      message: 'No admin token is configured. Set NUXT_NOTIFY_METRICS_TOKEN (or NUXT_NOTIFY_PUBLISH_TOKEN) and restart the server.',
    })
  }
  const given = requestToken(event)
  if (!given || !(await tokensMatch(given, expected))) {
    setResponseHeader(event, 'www-authenticate', 'Bearer realm="notify"')
    throw createError({
      statusCode: 401,
      statusMessage: 'Unauthorized',
      message: given ? 'The admin token is wrong.' : 'Missing admin token: send "Authorization: Bearer <token>".',
    })
  }
}
