import type { EventStreamMessage, H3Event } from 'h3'
import { createEventStream } from 'h3'
import { countSlowConsumer } from '#server/lib/metrics'
import type { SseConnection, SseConnectionOptions } from './connection'
import { closeNotifier } from './connection'
import { onceClosed } from './disconnect'
import { sendEventStream, writeStraightToNodeResponse } from './event-stream'

/** A stream of h3 `EventStreamMessage`s (h3 formats each message), for one client. */
export interface MessageStream extends SseConnection {
  /**
   * Queues messages behind the ones before (h3's writer keeps them in order). The first push
   * carries the retry hint, and with it the response headers go out. False once the stream is
   * over; a reader too far behind is ended instead of queued for.
   */
  push(messages: EventStreamMessage[]): boolean
}

/** The connection over h3's event stream helper, sent through the adapter in `event-stream.ts`. */
export function createMessageStream(event: H3Event, { maxQueuedBytes, retryMs }: SseConnectionOptions): MessageStream {
  const stream = createEventStream(event)
  const notifier = closeNotifier()
  let retry: number | undefined = retryMs
  const end = () => {
    notifier.fire()
    void stream.close()
  }
  // Node tells us when the client goes away ('close'); elsewhere `sendEventStream` does.
  onceClosed(event.node.res, end)
  // On Node the frames go straight to the response, which starts now: nothing is left to send.
  const written = writeStraightToNodeResponse(event, stream)
  return {
    push(messages) {
      if (notifier.closed) return false
      // h3 writes without regard to backpressure: cut off a reader this far behind instead of queueing.
      if ((event.node.res.writableLength ?? 0) > maxQueuedBytes) {
        countSlowConsumer()
        end()
        return false
      }
      if (retry !== undefined && messages[0]) {
        messages[0].retry = retry
        retry = undefined
      }
      // Not awaited: h3's writer keeps the frames in order, and its close() waits for the last one.
      stream.push(messages).catch(notifier.fire)
      return true
    },
    end,
    get closed() {
      return notifier.closed
    },
    onClose: notifier.onClose,
    send: () => written ? undefined : sendEventStream(event, stream, notifier.fire),
  }
}
