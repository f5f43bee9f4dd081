import type { H3Event } from 'h3'

/**
 * The abort signal of the client's request, where the preset hands one to h3 1.x:
 * `event.web.request` (h3's own web adapter) or the Request a Cloudflare Worker got
 * (`event.context.cloudflare.request`; it aborts on disconnect with the `enable_request_signal`
 * compatibility flag). Node presets (node-server, vercel) tell us with the response's 'close'
 * instead; bun, deno-server and netlify build a new request for h3 and drop the original, so
 * there only the cancel of the response body is left; aws-lambda (streaming) gives no sign at all.
 */
export function requestSignal(event: H3Event): AbortSignal | undefined {
  const cloudflare = (event.context as { cloudflare?: { request?: Request } }).cloudflare
  return event.web?.request?.signal ?? cloudflare?.request?.signal ?? undefined
}
