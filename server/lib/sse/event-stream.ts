import type { EventStream, H3Event } from 'h3'
import { createEventStream, sendStream, setResponseHeaders, setResponseStatus } from 'h3'
import { endCoalesced, writeCoalesced } from './coalesced-write'
import { requestSignal } from './disconnect'
import { EVENT_STREAM_HEADERS } from './frame'

/** 200 with the event-stream headers; sent with the stream's first bytes. */
export function startEventStreamResponse(event: H3Event): void {
  setResponseStatus(event, 200)
  setResponseHeaders(event, EVENT_STREAM_HEADERS)
}

type ByteTransform = TransformStream<Uint8Array, Uint8Array>

/** h3 1.15 keeps an EventStream's TransformStream in a private field: the only place that reads it. */
function transformOf(stream: EventStream): ByteTransform | undefined {
  const inner = (stream as unknown as { _transformStream?: unknown })._transformStream
  return inner instanceof TransformStream ? inner as ByteTransform : undefined
}

/**
 * Whether this h3 still has that field, checked once at start-up on a stream of its own (no
 * request: `autoclose: false` keeps it from listening to one). Without it every stream falls back
 * to h3's `send()`: slower on Node, and on Bun and Deno a client that leaves rejects a promise h3
 * never catches, which ends the process. An h3 upgrade must not do that silently.
 */
export const H3_TRANSFORM_STREAM: boolean = (() => {
  let found = false
  try {
    found = !!transformOf(createEventStream({} as H3Event, { autoclose: false }))
  }
  catch { /* an h3 whose EventStream needs more of an event: the field is not what it was either */ }
  if (!found) {
    console.warn('[notify] h3\'s EventStream no longer has the private `_transformStream` this server reads '
      + '(server/lib/sse/event-stream.ts): counting streams fall back to h3\'s own send(), slower, and on Bun '
      + 'and Deno a client that leaves may end the process. Check the h3 version against that adapter.')
  }
  return found
})()

/**
 * Sends an h3 `EventStream` and calls `onGone` once the client is gone.
 *
 * Where h3 writes to a Node response (node-server, vercel), h3's readable is written to the
 * response (`writeToNodeResponse`): h3 closes the stream on the request's 'close', and the caller
 * listens to the response's 'close'. An h3 without the private field gets `stream.send()`.
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
  const inner = H3_TRANSFORM_STREAM ? transformOf(stream) : undefined
  if (!inner) return stream.send()
  if (event.node.res.socket) return writeToNodeResponse(event, inner.readable)

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
  startEventStreamResponse(event)
  return sendStream(event, body)
}

/**
 * h3's own `send()` pipes its readable into a second WritableStream whose sink calls `res.write`,
 * one more queue and several more promise hops per frame, and each write leaves on its own.
 * Reading h3's readable straight into the response, in coalesced writes, does the same for less.
 */
async function writeToNodeResponse(event: H3Event, readable: ReadableStream<Uint8Array>): Promise<void> {
  const res = event.node.res
  startEventStreamResponse(event)
  const reader = readable.getReader()
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) writeCoalesced(res, chunk.value)
  }
  finally {
    endCoalesced(res)
  }
}
