import type { InboxPatch, InboxReadAllRequest, InboxSeenRequest, InboxStatus } from '#shared/types/inbox'
import { INBOX_DEFAULT_LIMIT, INBOX_MAX_LIMIT, INBOX_MAX_SEEN_IDS, INBOX_STATUSES } from '#shared/utils/inbox'
import { EVENT_ID_PATTERN } from '#shared/utils/event-id'
import { z } from 'zod'
import { badRequest, integerParam } from '#server/lib/http'

const eventId = (name: string) => z.string({ error: `"${name}" must be an event id ("<ms>-<seq>").` }).regex(EVENT_ID_PATTERN, `"${name}" must be an event id ("<ms>-<seq>").`)

/** `?status=unread|all|archived&before=<id>&limit=<1..100>`. */
export const inboxQuerySchema = z.object({
  status: z.enum(INBOX_STATUSES, { error: `Query parameter "status" must be one of ${INBOX_STATUSES.join(', ')}.` }).default('unread' satisfies InboxStatus),
  before: eventId('before').optional(),
  limit: integerParam('limit', { min: 1, max: INBOX_MAX_LIMIT, fallback: INBOX_DEFAULT_LIMIT }),
})

export const inboxPatchSchema = z.strictObject({ read: z.boolean().optional(), archived: z.boolean().optional() } satisfies { [K in keyof InboxPatch]-?: z.ZodType<InboxPatch[K]> })
  .refine(body => body.read !== undefined || body.archived !== undefined, { message: 'send "read" or "archived" (true or false)' })

export const inboxSeenSchema = z.union([
  z.strictObject({ ids: z.array(eventId('ids[]')).min(1).max(INBOX_MAX_SEEN_IDS) }),
  z.strictObject({ upTo: eventId('upTo') }),
], { error: `send {"ids": [1 to ${INBOX_MAX_SEEN_IDS} event ids]} or {"upTo": "<event id>"}` }) satisfies z.ZodType<InboxSeenRequest>

export const inboxReadAllSchema = z.strictObject({ upTo: eventId('upTo').optional() }) satisfies z.ZodType<InboxReadAllRequest>

/** The body through `schema`, or 400 naming each issue (in the message and `data.issues`). */
export function parseInboxBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const issues = result.error.issues.map(issue => `${issue.path.join('.') || 'body'}: ${issue.message}`)
  badRequest(`Invalid body. ${issues.join('; ')}.`, { issues })
}
