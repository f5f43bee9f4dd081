import type { ServerResponse } from 'node:http'
import type { H3Event } from 'h3'

/*
 * How a stream learns that its client left, per runtime. Everything else in lib/sse reduces these
 * to one signal, `SseConnection.onClose`.
 *
 *   preset                      the sign
 *   node-server, vercel         the Node response's 'close'                          (onceClosed)
 *   cloudflare                  the Request's abort signal, with the                 (requestSignal)
 *                               `enable_request_signal` compatibility flag
 *   bun, deno-server, netlify   only the cancel of the response body: they build a new request
 *                               for h3 and drop the original, signal and all
 *   aws-lambda (streaming)      none at all
 *
 * A web stream therefore listens to both its body's cancel and, where there is one, the signal.
 */

/**
 * Calls `callback` once the Node response is closed; at once when it already is: a client can leave
 * while its request waits for its handler, and 'close' is not emitted a second time.
 */
export function onceClosed(res: ServerResponse, callback: () => void): void {
  if (res.closed || res.destroyed) callback()
  else res.once('close', callback)
}

/**
 * The abort signal of the client's request, where the preset hands one to h3 1.x:
 * `event.web.request` (h3's own web adapter) or the Request a Cloudflare Worker got
 * (`event.context.cloudflare.request`).
 */
export function requestSignal(event: H3Event): AbortSignal | undefined {
  const cloudflare = (event.context as { cloudflare?: { request?: Request } }).cloudflare
  return event.web?.request?.signal ?? cloudflare?.request?.signal ?? undefined
}
