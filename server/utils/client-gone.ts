import type { EventStream, H3Event } from 'h3'
import { sendStream, setResponseHeaders, setResponseStatus } from 'h3'
import { EVENT_STREAM_HEADERS } from './sse-frame'

/**
 * The abort signal of the client's request, where the preset hands one to h3 1.x:
 * `event.web.request` (h3's own web adapter) or the Request a Cloudflare Worker got
 * (`event.context.cloudflare.request`; it aborts on disconnect with the `enable_request_signal`
 * compatibility flag). Node presets (node-server, vercel) tell us with the response's 'close'
 * instead; bun, deno-server and netlify build a new request for h3 and drop the original, so
 * there only the cancel of the response body is left (see `sendEventStream`); aws-lambda
 * (streaming) gives no sign at all.
 */
export function requestSignal(event: H3Event): AbortSignal | undefined {
  const cloudflare = (event.context as { cloudflare?: { request?: Request } }).cloudflare
  return event.web?.request?.signal ?? cloudflare?.request?.signal ?? undefined
}

/**
 * Sends an h3 `EventStream` and calls `onGone` once the client is gone.
 *
 * Where h3 writes to a Node response (node-server, vercel), this is `stream.send()`: h3 closes
 * the stream on the request's 'close' and the caller listens to the response's 'close'.
 *
 * Everywhere else the runtime reads a web ReadableStream, and a client disconnect cancels it.
 * h3 1.x hands over its TransformStream's readable itself: the cancel errors the writable, so
 * `_writer.closed` rejects, and h3's constructor chains `.then()` on that promise without a
 * catch. That unhandled rejection ends a Bun or Deno process. So here the runtime gets a thin
 * readable in front of h3's: its cancel closes the EventStream (the writer closes cleanly,
 * `closed` resolves, nothing rejects), tells the caller at once, and keeps draining h3's readable
 * so the close goes through. The request's abort signal, where there is one, does the same.
 */
export function sendEventStream(event: H3Event, stream: EventStream, onGone: () => void): Promise<void> {
  // h3 1.15 keeps the TransformStream in a private field; without it (another h3), fall back.
  const inner = (stream as unknown as { _transformStream?: TransformStream<Uint8Array, Uint8Array> })._transformStream
  if (event.node.res.socket || !inner) return stream.send()

  const reader = inner.readable.getReader()
  let gone = false
  const leave = () => {
    if (gone) return
    gone = true
    onGone()
    void stream.close()
    void (async () => {
      while (!(await reader.read()).done) { /* drop what was still queued */ }
    })().catch(() => {})
  }
  requestSignal(event)?.addEventListener('abort', leave, { once: true })

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read()
        try {
          if (done || gone) controller.close()
          else controller.enqueue(value)
        }
        catch { /* cancelled while reading */ }
      },
      cancel: leave,
    },
    // Pull one chunk at a time: a frame leaves h3 only when the runtime asks for it.
    { highWaterMark: 0 },
  )
  setResponseStatus(event, 200)
  setResponseHeaders(event, EVENT_STREAM_HEADERS)
  return sendStream(event, body)
}
