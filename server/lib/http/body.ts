import type { IncomingMessage } from 'node:http'
import type { H3Event } from 'h3'
import type { z } from 'zod'
import { createError, readRawBody } from 'h3'
import { badRequest } from './errors'
import { requestHeader } from './headers'

/** `application/json`, or a `+json` type (`application/merge-patch+json`), with or without parameters. */
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i

export interface JsonBodyOptions {
  /** The largest body accepted, in bytes: suited to the route (a sign-in is a few hundred bytes). */
  limit: number
  /**
   * A request with no body and no Content-Type reads as `{}` (a route whose body is optional). A body
   * of any other type is still a 415: only JSON needs a CORS preflight from another origin.
   */
  optional?: boolean
}

/**
 * The request's body as JSON, of `schema`: the one way a route reads a body. Refused before it is
 * parsed, and as early as can be: 415 unless it is JSON (a cross-site form can't send that without a
 * preflight), 413 on a Content-Length over `limit` before a byte is read, and on a chunked body as
 * soon as the bytes counted pass it (the rest is dropped, see tooLarge). 400 for an empty or
 * malformed body, and for the first schema issue, naming its field in the message and `data.field`.
 */
export async function readJsonBody<Schema extends z.ZodType>(event: H3Event, schema: Schema, options: JsonBodyOptions): Promise<z.output<Schema>> {
  const result = schema.safeParse(await readJson(event, options))
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.map(String).join('.')
  badRequest(field ? `"${field}" ${issue.message}.` : `The body ${issue.message}.`, field ? { field } : undefined)
}

/** The body parsed as JSON within the same limits, unvalidated: for a route with checks of its own to run first (publish). */
export async function readJson(event: H3Event, { limit, optional = false }: JsonBodyOptions): Promise<unknown> {
  const type = requestHeader(event, 'content-type')
  if (optional && type === undefined && !hasBody(event)) return {}
  if (!JSON_TYPE.test(type ?? '')) {
    throw createError({ statusCode: 415, statusMessage: 'Unsupported Media Type', message: 'The body must be JSON: send "Content-Type: application/json".' })
  }
  const bytes = await readLimited(event, limit)
  if (!bytes?.byteLength) {
    if (optional) return {}
    badRequest('The body is empty: send a JSON object.')
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  }
  catch (error) {
    badRequest(`The body is not valid JSON: ${(error as Error).message}.`)
  }
}

function hasBody(event: H3Event): boolean {
  return Number(requestHeader(event, 'content-length') ?? 0) > 0 || requestHeader(event, 'transfer-encoding') !== undefined
}

/**
 * At most `limit` bytes of the body. On Node the request is read from its socket here, counted chunk
 * by chunk, and left unread past the limit; on a runtime that hands the body over whole (a Worker,
 * a Lambda event) the platform's own size limit has already applied, and this one is checked on it.
 */
async function readLimited(event: H3Event, limit: number): Promise<Uint8Array | undefined> {
  const req = event.node?.req
  const alreadyRead = !req || '__unenv__' in req || 'body' in req || 'rawBody' in req || event.web?.request?.body || event._requestBody
  const declared = requestHeader(event, 'content-length')
  if (declared !== undefined && Number(declared) > limit) tooLarge(event, limit, alreadyRead ? undefined : req)
  if (alreadyRead) {
    const raw = await readRawBody(event, false)
    if (raw && raw.byteLength > limit) tooLarge(event, limit)
    return raw
  }
  if (!declared && requestHeader(event, 'transfer-encoding') === undefined) return undefined
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onError)
    const onData = (chunk: Buffer) => {
      received += chunk.byteLength
      if (received > limit) {
        stop()
        chunks.length = 0
        try {
          tooLarge(event, limit, req)
        }
        catch (error) {
          reject(error)
        }
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      stop()
      resolve(Buffer.concat(chunks))
    }
    const onError = (error: Error) => {
      stop()
      reject(error)
    }
    req.on('data', onData).on('end', onEnd).on('error', onError)
  })
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const LINGER_MS = 1000

/**
 * 413. The rest of the body is never kept: it is read and dropped, so the answer reaches the client
 * (a socket closed with unread bytes sends a reset that can destroy the answer in flight), for at
 * most LINGER_MS; a client still sending then is cut off. A small overshoot is drained and the
 * connection kept.
 */
function tooLarge(event: H3Event, limit: number, req?: IncomingMessage): never {
  if (req && !req.readableEnded) {
    const cut = setTimeout(() => req.socket.destroy(), LINGER_MS)
    const settle = () => clearTimeout(cut)
    req.once('end', settle).once('close', settle)
    req.on('data', drop).resume()
  }
  throw createError({ statusCode: 413, statusMessage: 'Payload Too Large', message: `The body is larger than ${limit} bytes.` })
}

function drop(): void {}
