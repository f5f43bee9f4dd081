import { countSlowConsumer } from '#server/lib/metrics'
import { COUNTING_LIMITS, countingFrames, resumeAt } from './counting'

/**
 * The counting stream: message n every `interval` ms up to `count`, on h3's event stream helper.
 * Message 1 goes out at once; the wait for message 2 is rounded up to the shared tick grid.
 * Served at /api/notify/stream and, for the seed's client, at /notify/stream.
 */
export const countingStreamHandler = defineEventHandler(async (event) => {
  if (handleStreamCors(event)) return
  assertMethod(event, 'GET')
  const total = readIntegerQuery(event, 'count', COUNTING_LIMITS.count)
  const intervalMs = readIntegerQuery(event, 'interval', COUNTING_LIMITS.interval)
  const first = resumeAt(readLastEventId(event), total)
  if (first === null) return sendNoContent(event, 204)
  const config = useNotifyConfig()

  // Ended by the server (lifetime, shutdown, too slow a reader): the client resumes with Last-Event-ID.
  const release = admitStream(event, 'counting', config, () => end())
  const stream = createEventStream(event)
  let next = first

  // Not awaited: h3's writer keeps the frames in order, and its close() waits for the last one.
  const pushNext = () => {
    if (next > total) return
    // h3 writes without regard to backpressure: cut off a reader this far behind instead of queueing.
    if ((event.node.res.writableLength ?? 0) > config.maxQueuedBytes) {
      countSlowConsumer()
      return end()
    }
    const n = next++
    const frames = countingFrames(n, total)
    if (n === first) frames[0]!.retry = config.retryMs
    stream.push(frames).catch(stop)
    if (n === total) end()
  }
  const cancelTicks = setAlignedInterval(pushNext, intervalMs)
  const stop = () => {
    next = total + 1 // no push after this
    cancelTicks()
    release()
  }
  const end = () => {
    stop()
    void stream.close()
  }
  // Node tells us when the client goes away ('close'); elsewhere `sendEventStream` does, from the
  // cancel of the response body or the request's abort signal. A push that fails stops it too.
  onceClosed(event.node.res, end)

  // The first frame goes out at once: it carries the retry hint and flushes the response headers.
  pushNext()
  return sendEventStream(event, stream, stop)
})
