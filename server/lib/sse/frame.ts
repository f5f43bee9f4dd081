import { STREAM_EVENTS } from '../../../composables/useEventStream/stream-events'

/**
 * Response headers of every event stream: no caching or transformation on the way (so no
 * compression), and no buffering in nginx. The same set as h3's own event stream helper.
 */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'private, no-cache, no-store, no-transform, must-revalidate, max-age=0',
  'x-accel-buffering': 'no',
} as const

/** One Server-Sent Events frame, as the WHATWG HTML spec defines its fields. */
export interface SseFrame {
  id?: string
  event?: string
  retry?: number
  data?: string
}

// A CR, LF or NUL inside `id` or `event` would end the field early and let the rest inject a new one.
const FIELD_BREAKERS = /[\r\n\0]/g
const LINE_BREAK = /\r\n|\r|\n/

/**
 * Serialises one frame. Unlike h3's formatter it also strips NUL from ids (a NUL makes the browser
 * ignore the id), never emits a `data:` line for a frame without data (which would dispatch an empty
 * message), and only emits `retry` as plain digits.
 */
export function formatSseFrame(frame: SseFrame): string {
  let out = ''
  if (frame.id !== undefined) out += `id: ${frame.id.replace(FIELD_BREAKERS, '')}\n`
  if (frame.event) out += `event: ${frame.event.replace(FIELD_BREAKERS, '')}\n`
  if (frame.retry !== undefined && Number.isSafeInteger(frame.retry) && frame.retry >= 0) out += `retry: ${frame.retry}\n`
  if (frame.data !== undefined) {
    for (const line of frame.data.split(LINE_BREAK)) out += `data: ${line}\n`
  }
  return `${out}\n`
}

const encoder = new TextEncoder()

/**
 * The frame's bytes, once, to be written to any number of subscribers. A Buffer where there is one:
 * Node's streams would otherwise wrap a plain Uint8Array in a new Buffer on every single write.
 */
export function encodeFrame(frame: SseFrame): Uint8Array {
  const text = formatSseFrame(frame)
  return typeof Buffer === 'function' ? Buffer.from(text) : encoder.encode(text)
}

let retryHint: { ms: number, bytes: Uint8Array } | undefined

/** The `retry: <ms>` frame every stream opens with: encoded once per value, not once per connect. */
export function retryFrame(ms: number): Uint8Array {
  if (retryHint?.ms !== ms) retryHint = { ms, bytes: encodeFrame({ retry: ms }) }
  return retryHint.bytes
}

/** A comment line: keeps proxies from closing an idle stream; every EventSource ignores it. */
export const HEARTBEAT_BYTES = typeof Buffer === 'function' ? Buffer.from(':\n\n') : encoder.encode(':\n\n')

/**
 * The heartbeat a client asked to see (`?heartbeat=event`): a named event, so an EventSource can
 * tell a silent connection from a quiet one. Its data is `{}`: an empty one would not be dispatched.
 */
export const HEARTBEAT_EVENT_BYTES = encodeFrame({ event: STREAM_EVENTS.heartbeat, data: '{}' })
