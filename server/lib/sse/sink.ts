import type { ServerResponse } from 'node:http'
import type { H3Event } from 'h3'
import { sendStream } from 'h3'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection, SseConnectionOptions } from './connection'
import { closeNotifier } from './connection'
import { onceClosed, requestSignal } from './disconnect'
import { startEventStreamResponse } from './event-stream'
import { encodeFrame } from './frame'

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
    ? createNodeSink(event.node.res, maxQueuedBytes)
    : createWebSink(maxQueuedBytes, requestSignal(event))
  sink.write(encodeFrame({ retry: retryMs }))
  return Object.assign(sink, { send: () => sink.body ? sendStream(event, sink.body) : undefined })
}

function createNodeSink(res: ServerResponse, maxQueuedBytes: number): SseSink {
  const notifier = closeNotifier()
  onceClosed(res, notifier.fire)
  return {
    write(chunk) {
      if (notifier.closed) return false
      if (res.writableLength > maxQueuedBytes) {
        countSlowConsumer()
        res.destroy()
        notifier.fire()
        return false
      }
      res.write(chunk)
      return true
    },
    whenWritable() {
      if (notifier.closed || !res.writableNeedDrain) return Promise.resolve()
      return new Promise((resolve) => {
        const done = () => {
          res.off('drain', done)
          resolve()
        }
        res.on('drain', done)
        notifier.onClose(done)
      })
    },
    end() {
      if (!notifier.closed) res.end()
      notifier.fire()
    },
    get closed() {
      return notifier.closed
    },
    onClose: notifier.onClose,
  }
}

function createWebSink(maxQueuedBytes: number, signal?: AbortSignal): SseSink {
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
  }
}
