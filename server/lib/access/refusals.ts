import type { H3Event } from 'h3'
import { setResponseHeader } from 'h3'
import { refuse } from '#server/lib/http'
import type { RefusalCode } from '#shared/utils/refusals'

/**
 * 401 with `WWW-Authenticate: Bearer` (RFC 6750: `error="invalid_token"` when one was sent but
 * refused). The message says what was wrong, never what the token or its claims contained.
 */
export function unauthorized(event: H3Event, code: RefusalCode, message: string, invalidToken = false): never {
  setResponseHeader(event, 'www-authenticate', invalidToken ? 'Bearer realm="notify", error="invalid_token"' : 'Bearer realm="notify"')
  refuse(code, message)
}

/**
 * 403 naming what was refused. The topic named is one the requester asked for in this request:
 * it tells them nothing they did not send, and is never logged.
 */
export function forbidden(code: RefusalCode, message: string): never {
  refuse(code, message)
}
