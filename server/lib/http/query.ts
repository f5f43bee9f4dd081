import type { H3Event } from 'h3'
import { getQuery, getValidatedQuery } from 'h3'
import { z } from 'zod'
import { refuse } from './errors'
import { requestHeader } from './headers'
import { splitQuery } from './own-routes'

/** Distinct query strings remembered per schema; past it the memory starts over (a bound, not an LRU). */
const REMEMBERED_QUERIES = 512
/** Parameters of one client, not of the route's schema: a query with one is validated, never remembered (a token must not stay in memory). */
const PER_CLIENT_PARAMS = new Set(['access_token', 'lastEventId'])
const PER_CLIENT_SPELLED_PLAINLY = /(?:^|&)(?:access_token|lastEventId)(?:=|&|$)/

/**
 * Whether the raw query has a per-client parameter, decided on each key as h3's `getQuery` decodes it
 * (ufo: `+` is a space, then percent-decoding): `access%5Ftoken=` is read as `access_token` and works
 * as a credential, so it is one here too. A query with no `%` or `+` is looked at as it is.
 */
export function hasPerClientParam(search: string): boolean {
  if (PER_CLIENT_SPELLED_PLAINLY.test(search)) return true
  if (!/[%+]/.test(search)) return false
  for (const pair of search.split('&')) {
    const at = pair.indexOf('=')
    if (PER_CLIENT_PARAMS.has(decodeKey(at === -1 ? pair : pair.slice(0, at)))) return true
  }
  return false
}

function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '))
  }
  catch {
    return key
  }
}
const validQueries = new WeakMap<z.ZodType, Map<string, unknown>>()

/**
 * The query, through h3's `getValidatedQuery` and a zod schema. The first issue answers 400 with the
 * message the schema gave it and `data.parameter` naming the parameter. `safeParse`, so h3 hands the
 * result back instead of wrapping a throw in its own "Validation Error".
 *
 * A valid result is remembered by its raw query string: EventSource reconnects to the same URL, and
 * parsing and validating it again was a tenth of a connect's CPU (bench/README.md, "Numbers behind
 * the code"). The result is shared by every request with that query, so it is read-only to its users
 * (the schemas give read-only types: `topicsParam` a ReadonlySet).
 */
export async function readValidatedQuery<Schema extends z.ZodType>(event: H3Event, schema: Schema): Promise<Readonly<z.output<Schema>>> {
  const [, search] = splitQuery(event.path)
  let remembered = validQueries.get(schema)
  if (remembered?.has(search)) return remembered.get(search) as z.output<Schema>
  const result = await getValidatedQuery(event, schema.safeParse)
  if (!result.success) {
    const issue = result.error.issues[0]!
    refuse('query.invalid', issue.message, { parameter: String(issue.path[0]) })
  }
  if (hasPerClientParam(search)) return result.data
  if (!remembered || remembered.size >= REMEMBERED_QUERIES) validQueries.set(schema, remembered = new Map())
  remembered.set(search, result.data)
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
  const header = requestHeader(event, 'last-event-id')
  if (header) return header
  // Most requests have no such parameter: don't parse the query to find that out (a key spelled with
  // percent-escapes, `lastEvent%49d=`, is not looked for: no client sends one).
  if (!event.path.includes('lastEventId=')) return undefined
  const query = getQuery(event).lastEventId
  return typeof query === 'string' && query !== '' ? query : undefined
}
