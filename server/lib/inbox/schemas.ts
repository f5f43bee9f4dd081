import type { InboxPatch, InboxReadAllRequest, InboxSeenRequest, InboxStatus } from '#shared/types/inbox'
import { INBOX_DEFAULT_LIMIT, INBOX_MAX_LIMIT, INBOX_MAX_SEEN_IDS, INBOX_STATUSES } from '#shared/utils/inbox'
import { EVENT_ID_PATTERN } from '#shared/utils/event-id'
import { z } from 'zod'
import { integerParam } from '#server/lib/http'

const EVENT_ID_RULE = 'must be an event id ("<ms>-<seq>")'
/** In a body: the reader names the field. */
const eventId = () => z.string({ error: EVENT_ID_RULE }).regex(EVENT_ID_PATTERN, EVENT_ID_RULE)

/** `?status=unread|all|archived&before=<id>&limit=<1..100>`. */
export const inboxQuerySchema = z.object({
  status: z.enum(INBOX_STATUSES, { error: `Query parameter "status" must be one of ${INBOX_STATUSES.join(', ')}.` }).default('unread' satisfies InboxStatus),
  before: z.string({ error: `Query parameter "before" ${EVENT_ID_RULE}.` }).regex(EVENT_ID_PATTERN, `Query parameter "before" ${EVENT_ID_RULE}.`).optional(),
  limit: integerParam('limit', { min: 1, max: INBOX_MAX_LIMIT, fallback: INBOX_DEFAULT_LIMIT }),
})

export const inboxPatchSchema = z.strictObject({ read: z.boolean().optional(), archived: z.boolean().optional() } satisfies { [K in keyof InboxPatch]-?: z.ZodType<InboxPatch[K]> })
  .refine(body => body.read !== undefined || body.archived !== undefined, { message: 'must have "read" or "archived" (true or false)' })

export const inboxSeenSchema = z.union([
  z.strictObject({ ids: z.array(eventId()).min(1).max(INBOX_MAX_SEEN_IDS) }),
  z.strictObject({ upTo: eventId() }),
], { error: `must be {"ids": [1 to ${INBOX_MAX_SEEN_IDS} event ids]} or {"upTo": "<event id>"}` }) satisfies z.ZodType<InboxSeenRequest>

export const inboxReadAllSchema = z.strictObject({ upTo: eventId().optional() }) satisfies z.ZodType<InboxReadAllRequest>
