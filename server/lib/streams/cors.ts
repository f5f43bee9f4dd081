import type { H3CorsOptions, H3Event } from 'h3'
import { appendResponseHeaders, handleCors } from 'h3'
import { requestHeader } from '#server/lib/http'

interface StreamCors {
  configured: string
  /** For h3's `handleCors`, which answers the preflight. */
  options: H3CorsOptions
  /** null: any origin. */
  allowlist: ReadonlySet<string> | null
}

let resolved: StreamCors | undefined

/** The CORS settings for a `corsOrigins` value, worked out once per value rather than per request. */
function streamCors(configured: string): StreamCors {
  if (resolved?.configured !== configured) {
    const anyOrigin = configured === '*'
    const allowlist = configured.split(',').map(origin => origin.trim()).filter(origin => origin && origin !== 'null')
    resolved = {
      configured,
      options: {
        origin: anyOrigin ? '*' : allowlist,
        methods: ['GET'],
        allowHeaders: ['last-event-id', 'cache-control', 'accept'],
        credentials: !anyOrigin,
        maxAge: '86400',
      },
      allowlist: anyOrigin ? null : new Set(allowlist),
    }
  }
  return resolved
}

const ANY_ORIGIN = { 'access-control-allow-origin': '*' } as const
const ANY_ORIGIN_WITH_CREDENTIALS = { ...ANY_ORIGIN, 'access-control-allow-credentials': 'true' } as const
const CREDENTIALS_ONLY = { 'access-control-allow-credentials': 'true' } as const

/**
 * CORS for the public streams, so EventSource clients on other origins (the seed's Vue app) can read
 * them. `corsOrigins` is `*` (any origin, no credentials) or a comma-separated allowlist (credentials
 * allowed, origin echoed back). Answers the preflight and returns true when it did.
 */
export function handleStreamCors(event: H3Event, corsOrigins: string): boolean {
  const cors = streamCors(corsOrigins.trim())
  // Only an OPTIONS request can be a preflight. Every other one gets exactly the headers h3's
  // `appendCorsHeaders` would give it for these options, appended as it does (a route rule's `vary`
  // stays), without working them out from the options again on every connect.
  if (event.method === 'OPTIONS') return handleCors(event, cors.options)
  if (!cors.allowlist) {
    appendResponseHeaders(event, ANY_ORIGIN)
    return false
  }
  const origin = requestHeader(event, 'origin')
  if (!origin) appendResponseHeaders(event, ANY_ORIGIN_WITH_CREDENTIALS)
  else if (cors.allowlist.has(origin)) appendResponseHeaders(event, { 'access-control-allow-origin': origin, 'vary': 'origin', 'access-control-allow-credentials': 'true' })
  else appendResponseHeaders(event, CREDENTIALS_ONLY)
  return false
}
