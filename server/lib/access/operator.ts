import type { H3Event } from 'h3'
import { refuse } from '#server/lib/http'
import { useAccessConfig } from './access-config'
import { tokensMatch } from './admin-token'
import { readBearer } from './credentials'
import { unauthorized } from './refusals'

/**
 * The operator: the one credential for what only operators see (the metrics, the stats by topic and
 * of the runtime, the `admin:*` topics of the /status page). Its token is NUXT_NOTIFY_METRICS_TOKEN,
 * else the publish token (`useAccessConfig().operatorToken`), and it is read from
 * `Authorization: Bearer` only: a cookie would let any page the operator visits use it, and a URL
 * (`?access_token=`) ends up in access logs. Compared in constant time.
 */
export async function isOperator(event: H3Event): Promise<boolean> {
  const { operatorToken } = useAccessConfig()
  const given = readBearer(event)
  return !!operatorToken && !!given && (await tokensMatch(given, operatorToken))
}

/** 503 when no operator token is configured, 401 (WWW-Authenticate: Bearer) unless the request's is it. */
export async function requireOperator(event: H3Event): Promise<void> {
  if (!useAccessConfig().operatorToken) {
    refuse('operator.off', 'No operator token is configured. Set NUXT_NOTIFY_METRICS_TOKEN (or NUXT_NOTIFY_PUBLISH_TOKEN) and restart the server.')
  }
  if (await isOperator(event)) return
  if (readBearer(event)) unauthorized(event, 'operator-token.wrong', 'The operator token is wrong.')
  unauthorized(event, 'operator-token.missing', 'Missing operator token: send "Authorization: Bearer <token>".')
}
