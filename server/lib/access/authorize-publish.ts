import type { H3Event } from 'h3'
import { refuse } from '#server/lib/http'
import { tokensMatch } from './admin-token'
import { useAccessConfig } from './access-config'
import { readBearer } from './credentials'
import { forbidden, unauthorized } from './refusals'
import { matchesAny } from './topic-patterns'
import { TokenRefused, verifyToken } from './tokens'

/**
 * Who is publishing: the admin (any topic), or a token holder limited to its `notify.publish`
 * patterns (`sub`: the token's subject, kept beside a stored topic's event as its sender).
 */
export type Publisher = { admin: true } | { admin: false, publish: readonly string[], sub?: string }

const looksLikeJwt = (token: string) => token.split('.').length === 3

/**
 * The publisher of this request, from `Authorization: Bearer` only (a cookie would let any page
 * the person visits publish in their name). 503 when neither an admin token nor a JWT secret is
 * configured; 401 when the bearer is missing, wrong, or a refused token.
 */
export async function authenticatePublisher(event: H3Event): Promise<Publisher> {
  const { publishToken, jwtKey } = useAccessConfig()
  if (!publishToken && !jwtKey) {
    refuse('publish.off', 'Publishing is disabled: no publish token is configured. Set NUXT_NOTIFY_PUBLISH_TOKEN (or NUXT_NOTIFY_JWT_SECRET for publisher tokens) and restart the server.')
  }
  const given = readBearer(event)
  if (!given) unauthorized(event, 'token.missing', 'Missing "Authorization: Bearer <token>" header.')
  if (publishToken && (await tokensMatch(given, publishToken))) return { admin: true }
  if (!jwtKey || !looksLikeJwt(given)) unauthorized(event, 'token.wrong', 'The bearer token is wrong.')
  try {
    const token = await verifyToken(given, jwtKey)
    return { admin: false, publish: token.publish, sub: token.sub }
  }
  catch (error) {
    if (error instanceof TokenRefused) unauthorized(event, error.code, error.message, true)
    throw error
  }
}

/** 403 unless the publisher may publish to `topic`: a token with only `subscribe` may publish nowhere. */
export function assertMayPublish(publisher: Publisher, topic: string): void {
  if (publisher.admin) return
  if (publisher.publish.length === 0) forbidden('publish.forbidden', 'This token may not publish: its "notify.publish" claim grants no topic.')
  if (!matchesAny(topic, publisher.publish)) forbidden('publish.forbidden', `This token may not publish to topic "${topic}".`)
}
