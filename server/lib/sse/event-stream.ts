import type { ServerResponse } from 'node:http'
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

/**
 * What h3 1.15's EventStream keeps in private fields: the TransformStream its frames go through, the
 * writer every `push()` writes to (`_writer.write(bytes)`, `close()` closes it) and the flag that
 * its writer is closed. The only place that reads them.
 */
interface EventStreamInternals {
  _transformStream?: unknown
  _writer?: unknown
  _writerIsClosed?: unknown
}

function internalsOf(stream: EventStream): EventStreamInternals {
  return stream as unknown as EventStreamInternals
}

function transformOf(stream: EventStream): ByteTransform | undefined {
  const inner = internalsOf(stream)._transformStream
  return inner instanceof TransformStream ? inner as ByteTransform : undefined
}

/**
 * Whether this h3 still has those fields, checked once at start-up on a stream of its own (no
 * request: `autoclose: false` keeps it from listening to one). Without them every stream falls back
 * to h3's `send()`: slower on Node, and on Bun and Deno a client that leaves rejects a promise h3
 * never catches, which ends the process. An h3 upgrade must not do that silently.
 */
export const H3_STREAM_INTERNALS: boolean = (() => {
  let found = false
  try {
    const probe = createEventStream({} as H3Event, { autoclose: false })
    const internals = internalsOf(probe)
    found = !!transformOf(probe) && internals._writer instanceof WritableStreamDefaultWriter && internals._writerIsClosed === false
  }
  catch { /* an h3 whose EventStream needs more of an event: the fields are not what they were either */ }
  if (!found) {
    console.warn('[notify] h3\'s EventStream no longer has the private `_transformStream`, `_writer` and '
      + '`_writerIsClosed` this server uses (server/lib/sse/event-stream.ts): counting streams fall back to '
      + 'h3\'s own send(), slower, and on Bun and Deno a client that leaves may end the process. Check the '
      + 'h3 version against that adapter.')
  }
  return found
})()

/**
 * Where h3 writes to a Node response (node-server, vercel): the stream's writer is
 * replaced by one that writes each frame straight to the response, in coalesced writes, and the
 * response starts now (its headers leave with the first frame). h3 still formats every message;
 * only the way its bytes leave changes: no TransformStream, reader loop and promise hops per frame
 * (measured: bench/README.md, "Numbers behind the code"). Its `close()` ends the response. False,
 * and nothing changed, on other runtimes or an h3 without the fields: then `sendEventStream`.
 */
export function writeStraightToNodeResponse(event: H3Event, stream: EventStream): boolean {
  if (!H3_STREAM_INTERNALS || !event.node.res.socket) return false
  startEventStreamResponse(event)
  internalsOf(stream)._writer = new NodeResponseWriter(event.node.res, internalsOf(stream))
  return true
}

const DONE = Promise.resolve()

/** The part of a WritableStreamDefaultWriter that h3's EventStream uses. */
class NodeResponseWriter {
  /** h3 chains `onClosed()` callbacks on it; resolved by `close()`. */
  readonly closed: Promise<void>
  private resolveClosed!: () => void

  constructor(private readonly res: ServerResponse, private readonly internals: EventStreamInternals) {
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve
    })
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.internals._writerIsClosed !== true) writeCoalesced(this.res, chunk)
    return DONE
  }

  close(): Promise<void> {
    if (this.internals._writerIsClosed !== true) {
      // What the replaced writer's `closed` told h3: later pushes are dropped.
      this.internals._writerIsClosed = true
      endCoalesced(this.res)
      this.resolveClosed()
    }
    return DONE
  }
}

/**
 * Sends an h3 `EventStream` that is not written straight to a Node response, and calls `onGone`
 * once the client is gone. An h3 without the private fields gets `stream.send()`.
 *
 * The runtime reads a web ReadableStream, and a client disconnect cancels it.
 * h3 1.x hands over its TransformStream's readable itself: the cancel errors the writable, so
 * `_writer.closed` rejects, and h3's constructor chains `.then()` on that promise without a
 * catch. That unhandled rejection ends a Bun or Deno process. So here the runtime gets a thin
 * readable in front of h3's: its cancel closes the EventStream (the writer closes cleanly,
 * `closed` resolves, nothing rejects), tells the caller at once, and keeps draining h3's readable
 * so the close goes through. The request's abort signal, where there is one, does the same.
 */
export function sendEventStream(event: H3Event, stream: EventStream, onGone: () => void): Promise<void> {
  const inner = H3_STREAM_INTERNALS ? transformOf(stream) : undefined
  if (!inner) return stream.send()

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
