import type { H3Event } from 'h3'
import { getQuery, getRequestHeader, getValidatedQuery } from 'h3'
import { z } from 'zod'
import { badRequest } from './errors'

/**
 * The query, through h3's `getValidatedQuery` and a zod schema. The first issue answers 400 with the
 * message the schema gave it and `data.parameter` naming the parameter. `safeParse`, so h3 hands the
 * result back instead of wrapping a throw in its own "Validation Error".
 */
export async function readValidatedQuery<Schema extends z.ZodType>(event: H3Event, schema: Schema): Promise<z.output<Schema>> {
  const result = await getValidatedQuery(event, schema.safeParse)
  if (!result.success) {
    const issue = result.error.issues[0]!
    badRequest(issue.message, { parameter: String(issue.path[0]) })
  }
  return result.data
}

/**
 * An optional integer query parameter within [min, max], `fallback` when absent, for a query
 * schema. Repeated, fractional, signed or padded values are refused rather than guessed at.
 */
export function integerParam(name: string, { min, max, fallback }: { min: number, max: number, fallback: number }) {
  const rule = `Query parameter "${name}" must be an integer from ${min} to ${max}`
  const outOfRange = { error: (issue: { input?: unknown }) => `${rule}, got ${issue.input}.` }
  return z.string({ error: `${rule}.` })
    .regex(/^\d{1,9}$/, { error: `${rule}.` })
    .transform(Number)
    .pipe(z.number().min(min, outOfRange).max(max, outOfRange))
    .default(fallback)
}

/**
 * The id a reconnecting client last saw: the `Last-Event-ID` header EventSource sends on its own,
 * or `?lastEventId=` for clients that can't set headers (a fresh `new EventSource(url)`).
 */
export function readLastEventId(event: H3Event): string | undefined {
  const header = getRequestHeader(event, 'last-event-id')
  if (header) return header
  const query = getQuery(event).lastEventId
  return typeof query === 'string' && query !== '' ? query : undefined
}
