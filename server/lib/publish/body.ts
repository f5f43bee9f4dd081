import type { H3Event } from 'h3'
import type { PublishInput, PublishRequest } from '#shared/types/notify'
import { DEFAULT_TOPIC, NAME_PATTERN, NAME_RULE } from '#shared/utils/notify'
import { STREAM_EVENTS } from '../../../composables/useEventStream/stream-events'
import { createError } from 'h3'
import { z } from 'zod'
import { readJson } from '#server/lib/http'

const name = () => z.string().regex(NAME_PATTERN, NAME_RULE)

/** A schema for each field of the shared PublishRequest, no more and no fewer. */
type FieldsOf<T> = { [K in keyof T]-?: z.ZodType<T[K] | undefined> }

const fields = {
  topic: name().default(DEFAULT_TOPIC),
  event: name().default(STREAM_EVENTS.message),
  // Optional here, required by the refine below: its message then reads "data: is required".
  data: z.json().optional(),
} satisfies FieldsOf<PublishRequest>

export const publishSchema = z.strictObject(fields)
  .refine(body => body.data !== undefined, { path: ['data'], message: 'is required (any JSON value)' })

/**
 * The publish body: JSON only (415 otherwise), at most `limit` bytes (413), and of the schema (400),
 * each with a message that says what was wrong.
 */
export async function readPublishBody(event: H3Event, limit: number): Promise<PublishInput> {
  const body = await readJson(event, { limit })
  // Checked first: the schema's own walk is recursive, and a deep enough value would overflow it.
  const issue = structuralIssue(body)
  if (issue) throw invalid([issue])
  const result = publishSchema.safeParse(body)
  // The refine has made sure `data` is there; it may be any JSON value, null included.
  if (result.success) return { topic: result.data.topic, event: result.data.event, data: result.data.data }
  throw invalid(result.error.issues.map(issue => `${issue.path.join('.') || 'body'}: ${issue.message}`))
}

const MAX_DEPTH = 64

/**
 * The first problem in the value's shape, found without recursion: nesting deeper than MAX_DEPTH,
 * or a `__proto__` key, harmless to JSON.parse but a trap for whoever merges the data later.
 */
function structuralIssue(value: unknown): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    if (depth >= MAX_DEPTH) return `data: nested deeper than ${MAX_DEPTH} levels`
    for (const [key, child] of Object.entries(item)) {
      if (key === '__proto__') return 'body: a key named "__proto__" is refused anywhere in it'
      stack.push([child, depth + 1])
    }
  }
  return undefined
}

/** 400 "Validation Error", each issue in the message and in `data.issues`. */
function invalid(issues: string[]): Error {
  return createError({ statusCode: 400, statusMessage: 'Validation Error', message: `Invalid publish body. ${issues.join('; ')}.`, data: { issues } })
}
