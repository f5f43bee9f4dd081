import type { H3Event } from 'h3'
import type { z } from 'zod'
import { readJsonBody } from '#server/lib/http'

/** An inbox body is a few ids: far below this. */
export const INBOX_BODY_LIMIT = 8 * 1024

/**
 * An inbox route's body through the one JSON reader (server/lib/http): JSON only (415: a cross-site
 * form can't send it without a CORS preflight, so a session cookie alone can't be made to write),
 * at most INBOX_BODY_LIMIT bytes (413), of `schema` (400 naming the field). No body at all reads as `{}`.
 */
export function readInboxBody<Schema extends z.ZodType>(event: H3Event, schema: Schema): Promise<z.output<Schema>> {
  return readJsonBody(event, schema, { limit: INBOX_BODY_LIMIT, optional: true })
}
