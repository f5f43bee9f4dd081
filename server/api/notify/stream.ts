import { z } from 'zod'
import { COUNTING_LIMITS, resumeAt, runCounting } from '#server/lib/counting'
import { integerParam, readLastEventId, readValidatedQuery } from '#server/lib/http'
import { createMessageStream } from '#server/lib/sse'
import { acceptStreamRequest, openStream } from '#server/lib/streams'

const countingQuery = z.object({
  count: integerParam('count', COUNTING_LIMITS.count),
  interval: integerParam('interval', COUNTING_LIMITS.interval),
})

/**
 * The counting stream: `GET /api/notify/stream?count=200&interval=200`, message n every `interval`
 * ms up to `count`, on h3's event stream helper. Served here and, for the seed's client, at
 * /notify/stream (server/routes/notify/stream.ts).
 */
export default defineEventHandler(async (event) => {
  const config = useNotifyConfig()
  if (acceptStreamRequest(event, config)) return
  const { count: total, interval: intervalMs } = await readValidatedQuery(event, countingQuery)
  const first = resumeAt(readLastEventId(event), total)
  if (first === null) return sendNoContent(event, 204)

  // Ended by the server (lifetime, shutdown, too slow a reader): the client resumes with Last-Event-ID.
  const stream = openStream(event, 'counting', config, createMessageStream)
  runCounting(stream, { first, total, intervalMs })
  return stream.send()
})
