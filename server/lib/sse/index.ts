/**
 * Server-Sent Events on h3, for every Nitro preset. A stream is an `SseConnection`: one signal
 * that the client is gone, one way to end it. One writer per transport carries the bytes of both
 * stream routes: `NodeWriter` to a Node response (backpressure, writes coalesced to the end of the
 * turn, close), a web ReadableStream body elsewhere (`web-writer.ts`). Two ways to write to it:
 * - `createSseSink`: bytes, framed once and written to any number of clients (the broadcast);
 * - `createMessageStream`: h3's event stream helper, one message at a time (the counting stream),
 *   through the one adapter of `h3-event-stream.ts`.
 * Frames are formatted by the pure functions of `frame.ts`; aligned ticks and coalesced writes
 * let many streams send in one event-loop turn.
 */
export type { SseConnection, SseConnectionOptions } from './connection'
export { createSseSink, openEventStreamWriter, startEventStreamResponse, type SseSink } from './sink'
export { NodeWriter } from './node-writer'
export { H3_STREAM_INTERNALS, createMessageStream, type MessageStream } from './h3-event-stream'
export { EVENT_STREAM_HEADERS, HEARTBEAT_BYTES, HEARTBEAT_EVENT_BYTES, encodeFrame, formatSseFrame, type SseFrame } from './frame'
export { onceClosed, requestSignal } from './disconnect'
export { TICK_GRID_MS, setAlignedInterval } from './aligned-interval'
