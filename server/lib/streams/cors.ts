import type { H3CorsOptions, H3Event } from 'h3'
import { appendCorsHeaders, handleCors } from 'h3'

let resolved: { configured: string, options: H3CorsOptions } | undefined

/** The CORS options for a `corsOrigins` setting, worked out once per value rather than per request. */
function streamCorsOptions(configured: string): H3CorsOptions {
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
    }
  }
  return resolved.options
}

/**
 * CORS for the public streams, so EventSource clients on other origins (the seed's Vue app) can read
 * them. `corsOrigins` is `*` (any origin, no credentials) or a comma-separated allowlist (credentials
 * allowed, origin echoed back). Answers the preflight and returns true when it did.
 */
export function handleStreamCors(event: H3Event, corsOrigins: string): boolean {
  const options = streamCorsOptions(corsOrigins.trim())
  // Only an OPTIONS request can be a preflight. Every other one gets what h3's handleCors would add
  // (its non-preflight branch is this same call) without what it does first on each request: deep-merge
  // the options with its defaults and copy every request header twice to test for a preflight.
  if (event.method === 'OPTIONS') return handleCors(event, options)
  appendCorsHeaders(event, options)
  return false
}
