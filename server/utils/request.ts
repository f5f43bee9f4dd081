import type { H3Event } from 'h3'
import type { PublishInput } from '#shared/types/notify'
import { readPublishBody as readBody } from '#server/lib/publish'

/** Query schemas through h3's getValidatedQuery, and the Last-Event-ID of a reconnecting client. */
export { readLastEventId, readValidatedQuery } from '#server/lib/http'

/** The publish body, within NUXT_NOTIFY_BODY_LIMIT_BYTES: 415, 413 or 400 saying what was wrong. */
export function readPublishBody(event: H3Event): Promise<PublishInput> {
  return readBody(event, useNotifyConfig().bodyLimitBytes)
}
