import type { H3Event } from 'h3'
import { createError, setResponseHeader } from 'h3'

/**
 * 401 with `WWW-Authenticate: Bearer` (RFC 6750: `error="invalid_token"` when one was sent but
 * refused). The message says what was wrong, never what the token or its claims contained.
 */
export function unauthorized(event: H3Event, message: string, invalidToken = false): never {
  setResponseHeader(event, 'www-authenticate', invalidToken ? 'Bearer realm="notify", error="invalid_token"' : 'Bearer realm="notify"')
  throw createError({ statusCode: 401, statusMessage: 'Unauthorized', message })
}

/**
 * 403 naming what was refused. The topic named is one the requester asked for in this request:
 * it tells them nothing they did not send, and is never logged.
 */
export function forbidden(message: string): never {
  throw createError({ statusCode: 403, statusMessage: 'Forbidden', message })
}
