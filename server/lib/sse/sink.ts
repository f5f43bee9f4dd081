import type { ServerResponse } from 'node:http'
import type { H3Event } from 'h3'
import { sendStream } from 'h3'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection, SseConnectionOptions } from './connection'
import { closeNotifier } from './connection'
import { requestSignal } from './disconnect'
import { startEventStreamResponse } from './event-stream'
import { retryFrame } from './frame'

/** Where one subscriber's bytes go. Every subscriber of a topic is handed the same bytes. */
export interface SseSink {
  /** Queues bytes; false when the subscriber is gone or was cut off for falling too far behind. */
  write(chunk: Uint8Array): boolean
  /** Resolves once the sink has room again (Node: 'drain'; web streams: the reader pulled), or closed. */
  whenWritable(): Promise<void>
  /** Ends the response cleanly. */
  end(): void
  readonly closed: boolean
  onClose(callback: () => void): void
  /** Set on runtimes without a Node response: the body to hand to h3's `sendStream`. */
  readonly body?: ReadableStream<Uint8Array>
}

/**
 * Starts the event-stream response with its first frame, the retry hint: the headers leave at once
 * (in the same write), before any event exists. On Node, bytes then go straight to the
 * ServerResponse: no TransformStream, writer and pipe per connection. Elsewhere (serverless and edge presets) a byte-counted ReadableStream is the body.
 * Either way a subscriber with more than `maxQueuedBytes` unread is disconnected rather than
 * buffered without bound; it comes back with Last-Event-ID and replays from history.
 * How it learns that the client left, per runtime: see `disconnect.ts`.
 */
export function createSseSink(event: H3Event, { maxQueuedBytes, retryMs }: SseConnectionOptions): SseSink & SseConnection {
  startEventStreamResponse(event)
  const sink = event.node.res.socket
    ? new NodeSink(event.node.res, maxQueuedBytes)
    : createWebSink(event, maxQueuedBytes, requestSignal(event))
  sink.write(retryFrame(retryMs))
  return sink
}

/**
 * The Node sink is held for the whole life of a stream, once per subscriber: one object with its
 * methods on the prototype and a single 'close' listener, rather than a closure per method and a
 * notifier beside it (measured: bench/README.md, "Numbers behind the code"). Nothing in it holds
 * the H3Event, so the request's context is not kept for the life of the stream either.
 */
class NodeSink implements SseSink, SseConnection {
  closed = false
  /** `concat` allocates exactly the slots it needs; a push or spread into `[]` reserves many more. */
  private callbacks: ReadonlyArray<() => void> = []

  constructor(private readonly res: ServerResponse, private readonly maxQueuedBytes: number) {
    // Not `once`: 'close' is emitted once, and `once` wraps the listener in two more objects.
    if (res.closed || res.destroyed) this.fire()
    else res.on('close', () => this.fire())
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false
    if (this.res.writableLength > this.maxQueuedBytes) {
      countSlowConsumer()
      this.res.destroy()
      this.fire()
      return false
    }
    this.res.write(chunk)
    return true
  }

  whenWritable(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done)
        resolve()
      }
      this.res.on('drain', done)
      this.onClose(done)
    })
  }

  end(): void {
    if (!this.closed) this.res.end()
    this.fire()
  }

  onClose(callback: () => void): void {
    if (this.closed) callback()
    else this.callbacks = this.callbacks.concat(callback)
  }

  /** Written to the response directly: nothing is left for h3 to send. */
  send(): undefined {
    return undefined
  }

  private fire(): void {
    if (this.closed) return
    this.closed = true
    const callbacks = this.callbacks
    this.callbacks = []
    for (const callback of callbacks) callback()
  }
}

function createWebSink(event: H3Event, maxQueuedBytes: number, signal?: AbortSignal): SseSink & SseConnection {
  const notifier = closeNotifier()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let pulled: (() => void) | undefined
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
      },
      pull() {
        pulled?.()
        pulled = undefined
      },
      cancel: notifier.fire,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: maxQueuedBytes }),
  )
  const shut = (how: 'close' | 'error') => {
    if (notifier.closed) return
    try {
      if (how === 'close') controller.close()
      else controller.error(new Error('subscriber too slow'))
    }
    catch { /* already closed by the runtime */ }
    notifier.fire()
  }
  if (signal?.aborted) shut('close')
  else signal?.addEventListener('abort', () => shut('close'), { once: true })
  return {
    write(chunk) {
      if (notifier.closed) return false
      if ((controller.desiredSize ?? 0) <= 0) {
        countSlowConsumer()
        shut('error')
        return false
      }
      try {
        controller.enqueue(chunk)
        return true
      }
      catch {
        notifier.fire()
        return false
      }
    },
    whenWritable() {
      if (notifier.closed || (controller.desiredSize ?? 0) > 0) return Promise.resolve()
      return new Promise((resolve) => {
        pulled = resolve
        notifier.onClose(resolve)
      })
    },
    end: () => shut('close'),
    get closed() {
      return notifier.closed
    },
    onClose: notifier.onClose,
    body,
    send: () => sendStream(event, body),
  }
}
