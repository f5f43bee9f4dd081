import type { H3Event } from 'h3'
import { setResponseHeader } from 'h3'
import { refuse, requestHeader } from '#server/lib/http'
import { tokensMatch } from './admin-token'

/**
 * 503 when no publish token is configured (`expected` is empty), 401 (with WWW-Authenticate) when the
 * bearer token is missing or wrong.
 */
export async function requirePublishToken(event: H3Event, expected: string): Promise<void> {
  if (!expected) {
    refuse('publish.off', 'Publishing is disabled: no publish token is configured. Set NUXT_NOTIFY_PUBLISH_TOKEN and restart the server.')
  }
  const header = requestHeader(event, 'authorization') ?? ''
  const given = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
  if (!given || !(await tokensMatch(given, expected))) {
    setResponseHeader(event, 'www-authenticate', 'Bearer realm="notify"')
    if (given) refuse('token.wrong', 'The bearer token is wrong.')
    refuse('token.missing', 'Missing "Authorization: Bearer <token>" header.')
  }
}
