import type { H3Event } from 'h3'
import { setResponseHeaders, setResponseStatus } from 'h3'
import type { SseConnection, SseConnectionOptions } from './connection'
import { requestSignal } from './disconnect'
import { EVENT_STREAM_HEADERS, retryFrame } from './frame'
import { NodeWriter } from './node-writer'
import { createWebWriter } from './web-writer'

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

/** 200 with the event-stream headers; sent with the stream's first bytes. */
export function startEventStreamResponse(event: H3Event): void {
  setResponseStatus(event, 200)
  setResponseHeaders(event, EVENT_STREAM_HEADERS)
}

/**
 * The response of an event stream, started (its headers leave with the first bytes), and the
 * writer its bytes go to: on Node the response itself (`NodeWriter`, coalescing its writes to the
 * end of the turn when `coalesce`), elsewhere a web ReadableStream body (`createWebWriter`). The
 * one choice of transport for both stream routes.
 */
export function openEventStreamWriter(event: H3Event, maxQueuedBytes: number, coalesce: boolean): SseSink & SseConnection {
  startEventStreamResponse(event)
  return event.node.res.socket
    ? new NodeWriter(event.node.res, maxQueuedBytes, coalesce)
    : createWebWriter(event, maxQueuedBytes, requestSignal(event))
}

/**
 * The broadcast's transport: the stream opens with its first frame, the retry hint, so the headers
 * leave at once (in the same write), before any event exists. Its writes are not coalesced: a
 * publish writes one frame to every subscriber in one loop, already back to back.
 * How it learns that the client left, per runtime: see `disconnect.ts`.
 */
export function createSseSink(event: H3Event, { maxQueuedBytes, retryMs }: SseConnectionOptions): SseSink & SseConnection {
  const sink = openEventStreamWriter(event, maxQueuedBytes, false)
  sink.write(retryFrame(retryMs))
  return sink
}
