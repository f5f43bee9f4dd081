import type { EventStream, EventStreamMessage, H3Event } from 'h3'
import { createEventStream } from 'h3'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection, SseConnectionOptions } from './connection'
import { closeNotifier } from './connection'
import { onceClosed } from './disconnect'
import type { SseSink } from './sink'
import { openEventStreamWriter } from './sink'

/** A stream of h3 `EventStreamMessage`s (h3 formats each message), for one client. */
export interface MessageStream extends SseConnection {
  /**
   * Queues messages behind the ones before. The first push carries the retry hint, and with it the
   * response headers go out. False once the stream is over; a reader too far behind is ended
   * instead of queued for.
   */
  push(messages: EventStreamMessage[]): boolean
}

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

/**
 * Whether this h3 still has those fields, checked once at start-up on a stream of its own (no
 * request: `autoclose: false` keeps it from listening to one). Without them every counting stream
 * falls back to h3's own `send()`: slower on Node, and on Bun and Deno a client that leaves rejects
 * a promise h3 never catches, which ends the process. An h3 upgrade must not do that silently.
 */
export const H3_STREAM_INTERNALS: boolean = (() => {
  let found = false
  try {
    const internals = internalsOf(createEventStream({} as H3Event, { autoclose: false }))
    found = internals._transformStream instanceof TransformStream
      && internals._writer instanceof WritableStreamDefaultWriter
      && internals._writerIsClosed === false
  }
  catch { /* an h3 whose EventStream needs more of an event: the fields are not what they were either */ }
  if (!found) {
    console.warn('[notify] h3\'s EventStream no longer has the private `_transformStream`, `_writer` and '
      + '`_writerIsClosed` this server uses (server/lib/sse/h3-event-stream.ts): counting streams fall back to '
      + 'h3\'s own send(), slower, and on Bun and Deno a client that leaves may end the process. Check the '
      + 'h3 version against that adapter.')
  }
  return found
})()

const DONE = Promise.resolve()

/** The retry hint rides on the first message of the first push: one frame, and the headers with it. Returns what is left to carry. */
function carryRetry(messages: EventStreamMessage[], retry: number | undefined): number | undefined {
  if (retry === undefined || !messages[0]) return retry
  messages[0].retry = retry
  return undefined
}

/**
 * The part of a WritableStreamDefaultWriter that h3's EventStream calls once its own is swapped
 * out: `write(bytes)` on every push, `close()` from its `close()`. Both go to this server's writer.
 * (h3's `onClosed()` would read a `closed` promise: this server listens to the writer instead.)
 */
class WriterForH3 {
  constructor(private readonly sink: SseSink) {}

  write(chunk: Uint8Array): Promise<void> {
    this.sink.write(chunk)
    return DONE
  }

  close(): Promise<void> {
    this.sink.end()
    return DONE
  }
}

/**
 * h3's event stream over this server's writer (node-writer.ts, web-writer.ts): h3 formats every
 * message, and its bytes leave as the broadcast's do, with the same backpressure and close. No
 * TransformStream, reader loop and promise hops per frame on the way (measured: bench/README.md,
 * "Numbers behind the code"), and a client that leaves closes the writer, never h3's stream: no
 * promise of h3's is left to reject.
 */
class H3MessageStream implements MessageStream {
  private retry: number | undefined

  constructor(private readonly stream: EventStream, private readonly sink: SseSink & SseConnection, retryMs: number) {
    this.retry = retryMs
  }

  get closed(): boolean {
    return this.sink.closed
  }

  onClose(callback: () => void): void {
    this.sink.onClose(callback)
  }

  push(messages: EventStreamMessage[]): boolean {
    if (this.sink.closed) return false
    this.retry = carryRetry(messages, this.retry)
    // h3 formats and writes synchronously, before its first await: a cut-off shows at once.
    void this.stream.push(messages)
    return !this.sink.closed
  }

  end(): void {
    void this.stream.close()
  }

  send(): Promise<void> | undefined {
    return this.sink.send()
  }
}

/**
 * The counting route's transport: h3's `createEventStream`, as the product's users asked, through
 * the one adapter above. The stream starts now; its first push carries the retry hint and sends
 * the headers. With an h3 whose private fields changed, h3's own stream and `send()` instead.
 */
export function createMessageStream(event: H3Event, { maxQueuedBytes, retryMs }: SseConnectionOptions): MessageStream {
  if (!H3_STREAM_INTERNALS) return h3OwnMessageStream(event, maxQueuedBytes, retryMs)
  // No `autoclose`: the writer hears the client leave, and h3's stream has nothing left to close.
  const stream = createEventStream(event, { autoclose: false })
  const sink = openEventStreamWriter(event, maxQueuedBytes, true)
  internalsOf(stream)._writer = new WriterForH3(sink)
  return new H3MessageStream(stream, sink, retryMs)
}

/** The fallback: h3's stream as h3 sends it, cut off by the Node response's unread bytes where there is one. */
function h3OwnMessageStream(event: H3Event, maxQueuedBytes: number, retryMs: number): MessageStream {
  const stream = createEventStream(event)
  const notifier = closeNotifier()
  let retry: number | undefined = retryMs
  const end = () => {
    notifier.fire()
    void stream.close()
  }
  onceClosed(event.node.res, end)
  return {
    push(messages) {
      if (notifier.closed) return false
      if ((event.node.res.writableLength ?? 0) > maxQueuedBytes) {
        countSlowConsumer()
        end()
        return false
      }
      retry = carryRetry(messages, retry)
      stream.push(messages).catch(notifier.fire)
      return true
    },
    end,
    get closed() {
      return notifier.closed
    },
    onClose: notifier.onClose,
    send: () => stream.send(),
  }
}
