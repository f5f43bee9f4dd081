import type { H3Event } from 'h3'
import { createError, getRequestHeader, readRawBody } from 'h3'
import { badRequest } from '#server/lib/http'

/** An inbox body is a few ids: far below this. */
export const INBOX_BODY_LIMIT = 8 * 1024

/**
 * A small JSON body: `Content-Type: application/json` (415 otherwise: a cross-site form can't send
 * it without a CORS preflight, so a session cookie alone can't be made to write), at most
 * INBOX_BODY_LIMIT bytes (413), JSON (400). An empty body is `{}`.
 */
export async function readInboxBody(event: H3Event): Promise<unknown> {
  const type = getRequestHeader(event, 'content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: 'The body must be JSON: send "Content-Type: application/json".' })
  }
  const tooLarge = () => createError({ statusCode: 413, statusMessage: 'Payload Too Large', message: `The body is larger than ${INBOX_BODY_LIMIT} bytes.` })
  if (Number(getRequestHeader(event, 'content-length') ?? 0) > INBOX_BODY_LIMIT) throw tooLarge()
  const raw = await readRawBody(event, false)
  if (raw && raw.byteLength > INBOX_BODY_LIMIT) throw tooLarge()
  if (!raw?.byteLength) return {}
  try {
    return JSON.parse(new TextDecoder().decode(raw))
  }
  catch (error) {
    badRequest(`The body is not valid JSON: ${(error as Error).message}.`)
  }
}
