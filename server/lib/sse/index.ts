/**
 * Server-Sent Events on h3, for every Nitro preset. A stream is an `SseConnection`: one signal
 * that the client is gone, one way to end it. Two transports behind it:
 * - `createSseSink`: bytes, framed once and written to any number of clients (the broadcast);
 * - `createMessageStream`: h3's event stream helper, one message at a time (the counting stream).
 * Frames are formatted by the pure functions of `frame.ts`; aligned ticks and coalesced writes
 * let many streams send in one event-loop turn.
 */
export type { SseConnection, SseConnectionOptions } from './connection'
export { createSseSink, type SseSink } from './sink'
export { createMessageStream, type MessageStream } from './message-stream'
export { EVENT_STREAM_HEADERS, HEARTBEAT_BYTES, HEARTBEAT_EVENT_BYTES, encodeFrame, formatSseFrame, type SseFrame } from './frame'
export { H3_STREAM_INTERNALS, sendEventStream, startEventStreamResponse } from './event-stream'
export { onceClosed, requestSignal } from './disconnect'
export { TICK_GRID_MS, setAlignedInterval } from './aligned-interval'
