import type { H3Event } from 'h3'

/**
 * CORS for the public streams, so EventSource clients on other origins (the seed's Vue app) can read
 * them. `corsOrigins` is `*` (any origin, no credentials) or a comma-separated allowlist (credentials
 * allowed, origin echoed back). Answers the preflight and returns true when it did.
 */
export function handleStreamCors(event: H3Event): boolean {
  const configured = String(useNotifyConfig().corsOrigins ?? '').trim()
  const anyOrigin = configured === '*'
  const allowlist = configured.split(',').map(origin => origin.trim()).filter(origin => origin && origin !== 'null')
  return handleCors(event, {
    origin: anyOrigin ? '*' : allowlist,
    methods: ['GET'],
    allowHeaders: ['last-event-id', 'cache-control', 'accept'],
    credentials: !anyOrigin,
    maxAge: '86400',
  })
}
