import type { H3CorsOptions, H3Event } from 'h3'
import { handleCors } from 'h3'

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
  return handleCors(event, streamCorsOptions(corsOrigins.trim()))
}
