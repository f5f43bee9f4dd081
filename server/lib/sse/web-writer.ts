import type { H3Event } from 'h3'
import { sendStream } from 'h3'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection } from './connection'
import { closeNotifier } from './connection'
import type { SseSink } from './sink'

/**
 * The writer of an event stream where there is no Node response (bun, deno-server, netlify, the
 * Cloudflare presets, aws-lambda): a byte-counted ReadableStream that the runtime reads is the
 * body, for both stream routes. A client with more than `maxQueuedBytes` unread is cut off, as on
 * Node. It closes on the body's cancel and on the request's abort signal, where there is one
 * (`disconnect.ts`): whichever comes, nothing rejects, so a client that leaves never ends a Bun or
 * Deno process with an unhandled rejection.
 */
export function createWebWriter(event: H3Event, maxQueuedBytes: number, signal?: AbortSignal): SseSink & SseConnection {
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
