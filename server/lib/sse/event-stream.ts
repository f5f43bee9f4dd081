import type { EventStream, H3Event } from 'h3'
import { sendStream, setResponseHeaders, setResponseStatus } from 'h3'
import { endCoalesced, writeCoalesced } from './coalesced-write'
import { requestSignal } from './request-signal'
import { EVENT_STREAM_HEADERS } from './sse-frame'

/** 200 with the event-stream headers; sent with the stream's first bytes. */
export function startEventStreamResponse(event: H3Event): void {
  setResponseStatus(event, 200)
  setResponseHeaders(event, EVENT_STREAM_HEADERS)
}

/**
 * Sends an h3 `EventStream` and calls `onGone` once the client is gone.
 *
 * Where h3 writes to a Node response (node-server, vercel), h3's readable is written to the
 * response (`writeToNodeResponse`): h3 closes the stream on the request's 'close', and the caller
 * listens to the response's 'close'. Another h3 without the private field gets `stream.send()`.
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
