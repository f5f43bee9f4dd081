import type { H3Event } from 'h3'
import { getCookie, getQuery } from 'h3'
import { requestHeader } from '#server/lib/http'

export type TokenSource = 'header' | 'cookie' | 'query'

/** The cookie a same-site EventSource carries the token in (it can't set a header). HttpOnly. */
export const TOKEN_COOKIE = 'notify_token'

/** `Authorization: Bearer <token>`, the token alone (undefined when absent or another scheme). */
export function readBearer(event: H3Event): string | undefined {
  const header = requestHeader(event, 'authorization') ?? ''
  return /^Bearer\s+(\S.*)$/i.exec(header)?.[1]?.trim() || undefined
}

/**
 * The subscriber token, from the first place that has one: the Authorization header, the
 * `notify_token` cookie, then `?access_token=` (a cross-origin EventSource can send neither of the
 * others; a URL lands in logs and history, so it is the last resort).
 */
export function readPresentedToken(event: H3Event): { token: string, source: TokenSource } | undefined {
  const header = readBearer(event)
  if (header) return { token: header, source: 'header' }
  const cookie = getCookie(event, TOKEN_COOKIE)
  if (cookie) return { token: cookie, source: 'cookie' }
  const query = getQuery(event).access_token
  if (typeof query === 'string' && query) return { token: query, source: 'query' }
  // Repeated ?access_token= is not guessed at: the first string wins only when it is the only one.
  if (Array.isArray(query)) return { token: '', source: 'query' }
  return undefined
}
