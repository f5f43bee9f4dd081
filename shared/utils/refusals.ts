/**
 * Every refusal the server answers with, by its stable machine code, beside the HTTP status it comes
 * with: the one list the server sets (server/lib/http `refusal()`), the pages translate
 * (`refusal.<code>` in assets/i18n/locales) and the tests check. A code never changes meaning; the
 * `message` beside it is English for people reading the raw API and may be reworded. Documented in
 * docs/api.md ("Refusal codes").
 */
export const REFUSALS = {
  // The request itself.
  'query.invalid': 400,
  'last-event-id.invalid': 400,
  'body.empty': 400,
  'body.malformed-json': 400,
  'body.invalid': 400,
  'body.too-large': 413,
  'body.not-json': 415,
  'sign-in.name-invalid': 400,
  // Who is asking.
  'token.missing': 401,
  'token.wrong': 401,
  'token.expired': 401,
  'token.invalid': 401,
  'tokens.off': 401,
  'topic.private': 401,
  'session.missing': 401,
  'operator-token.missing': 401,
  'operator-token.wrong': 401,
  'topic.forbidden': 403,
  'publish.forbidden': 403,
  // What this server can do now.
  'publish.off': 503,
  'operator.off': 503,
  'token-minting.off': 503,
  'sign-in.off': 503,
  'streams.draining': 503,
  'streams.full': 503,
  'streams.per-ip': 503,
  'bus.unavailable': 503,
  'bus.clock-behind': 503,
  'bus.unconfirmed': 503,
  'store.unavailable': 503,
  // Publishing exactly once (Idempotency-Key).
  'idempotency-key.invalid': 400,
  'idempotency-key.in-progress': 409,
  'idempotency-key.reused': 422,
  'stream.unsupported': 501,
  // The inbox.
  'inbox.not-an-inbox': 403,
  'inbox.item-unknown': 404,
  'inbox.store-unavailable': 503,
  // A status without a more precise code (h3's own 405, a route's plain createError, a crash); any
  // other 4xx is `request.bad`, any other 5xx `server.error`.
  'request.bad': 400,
  'request.unauthorized': 401,
  'request.forbidden': 403,
  'route.unknown': 404,
  'method.not-allowed': 405,
  'server.error': 500,
  'server.unavailable': 503,
} as const satisfies Record<string, number>

export type RefusalCode = keyof typeof REFUSALS

export const REFUSAL_CODES = Object.keys(REFUSALS) as RefusalCode[]

export function isRefusalCode(code: unknown): code is RefusalCode {
  return typeof code === 'string' && Object.hasOwn(REFUSALS, code)
}

/** The code of a status when the refusal named none: the one body shape for every error. */
export function refusalCodeOfStatus(statusCode: number): RefusalCode {
  switch (statusCode) {
    case 400: return 'request.bad'
    case 401: return 'request.unauthorized'
    case 403: return 'request.forbidden'
    case 404: return 'route.unknown'
    case 405: return 'method.not-allowed'
    case 413: return 'body.too-large'
    case 415: return 'body.not-json'
    case 503: return 'server.unavailable'
    default: return statusCode >= 500 ? 'server.error' : 'request.bad'
  }
}
