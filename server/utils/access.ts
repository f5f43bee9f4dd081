import type { H3Event } from 'h3'
import { requirePublishToken as checkPublishToken } from '#server/lib/access'

/** 503 when publishing is off (no NUXT_NOTIFY_PUBLISH_TOKEN), 401 unless the bearer token is it. */
export function requirePublishToken(event: H3Event): Promise<void> {
  return checkPublishToken(event, String(useNotifyConfig().publishToken ?? ''))
}
