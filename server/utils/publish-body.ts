import type { H3Event } from 'h3'
import { z } from 'zod'
import { DEFAULT_TOPIC, NAME_PATTERN } from '#shared/utils/notify'
import { createError, getRequestHeader, readRawBody, readValidatedBody } from 'h3'
import { badRequest } from './query-params'

const name = () => z.string().regex(NAME_PATTERN, 'must be 1 to 128 letters, digits or "._:-"')

export const publishSchema = z.strictObject({
  topic: name().default(DEFAULT_TOPIC),
  event: name().default('message'),
  data: z.json().optional(),
}).refine(body => body.data !== undefined, { path: ['data'], message: 'is required (any JSON value)' })

export type PublishBody = z.infer<typeof publishSchema>

/**
 * The publish body: JSON only (415 otherwise), at most `limit` bytes (413), and of the schema (400),
 * each with a message that says what was wrong.
 */
export async function readPublishBody(event: H3Event, limit: number): Promise<PublishBody> {
  const type = getRequestHeader(event, 'content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: 'The body must be JSON: send "Content-Type: application/json".' })
  }
  const tooLarge = () => createError({ statusCode: 413, statusMessage: 'Payload Too Large', message: `The body is larger than ${limit} bytes.` })
  if (Number(getRequestHeader(event, 'content-length') ?? 0) > limit) throw tooLarge()
  const raw = await readRawBody(event, false)
  if (raw && raw.byteLength > limit) throw tooLarge()
  if (!raw?.byteLength) badRequest('The body is empty: send {"data": ...}.')
  // Where the preset hands h3 the body as a web ReadableStream (netlify: `req.body`), h3 1.x reads
  // it once and keeps nothing, so readValidatedBody below would see an empty body. Give it the bytes.
  event._requestBody = raw as Uint8Array<ArrayBuffer>

  return readValidatedBody(event, (body) => {
    // Checked first, without recursion: a deep enough value would overflow the schema's own walk.
    if (nestedDeeperThan(body, MAX_DEPTH)) throw invalid([`data: nested deeper than ${MAX_DEPTH} levels`])
    const result = publishSchema.safeParse(body)
    if (result.success) return result.data
    throw invalid(result.error.issues.map(issue => `${issue.path.join('.') || 'body'}: ${issue.message}`))
  })
}

const MAX_DEPTH = 64

/** h3 answers 400 "Validation Error" with this message, and the enumerable `issues` as `data`. */
function invalid(issues: string[]): Error {
  return Object.assign(new Error(`Invalid publish body. ${issues.join('; ')}.`), { issues })
}

function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    if (depth >= limit) return true
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return false
}
