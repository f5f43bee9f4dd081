import { z } from 'zod'
import { authorizeTopics, endWhenGrantExpires } from '#server/lib/access'
import { countTopicRefusal } from '#server/lib/metrics'
import { topicsParam } from '#server/lib/broadcast'
import { insideDurableObject } from '#server/lib/cloudflare'
import type { SseSink } from '#server/lib/sse'
import { HEARTBEAT_BYTES, HEARTBEAT_EVENT_BYTES, createSseSink, encodeFrame } from '#server/lib/sse'
import { readLastEventId, readValidatedQuery, refuse } from '#server/lib/http'
import { WORKER_PRESET } from '#server/lib/runtime'
import { acceptStreamRequest, openStream } from '#server/lib/streams'

const eventsQuery = z.object({
  topic: topicsParam,
  // `event`: heartbeats as named events, for EventSource clients that watch for a silent connection;
  // absent: as comments, which every other client ignores.
  heartbeat: z.literal('event', { error: 'Query parameter "heartbeat" must be "event" when given.' }).optional(),
})

/**
 * Ended by the server (lifetime, shutdown): a spread-out retry hint first, so the clients of a
 * restarting instance don't all come back in the same instant.
 */
function endWithSpreadRetry(sink: SseSink): void {
  sink.write(encodeFrame({ retry: Math.round(useNotifyConfig().retryMs * (0.5 + Math.random())) }))
  sink.end()
}

/**
 * The broadcast stream: `GET /api/notify/events?topic=a&topic=b`. Replays what a reconnecting client
 * missed (Last-Event-ID), then stays live, with heartbeats, until the client leaves.
 */
export default defineEventHandler(async (event) => {
  const config = useNotifyConfig()
  if (acceptStreamRequest(event, config)) return
  // A Worker request may not be written to from another request (the publish, the hub's heartbeat
  // timer), and one that waits on nothing of its own is cancelled as hung: say so instead. Inside
  // cloudflare-durable's Durable Object (server/middleware/durable-forward.ts) every request can.
  if (WORKER_PRESET && !insideDurableObject(event)) {
    refuse('stream.unsupported', 'The broadcast stream does not run on Cloudflare Workers: one request cannot write to another\'s stream there; build with the cloudflare-durable preset, which runs it in a Durable Object. The counting stream works.')
  }
  const query = await readValidatedQuery(event, eventsQuery)
  const topics = query.topic
  const lastEventId = readLastEventId(event)
  const heartbeat = query.heartbeat === 'event' ? HEARTBEAT_EVENT_BYTES : HEARTBEAT_BYTES
  // Every topic checked before any byte: 401/403 refuse the whole stream.
  const access = await authorizeTopics(event, topics).catch(countTopicRefusal)

  const sink = openStream(event, 'broadcast', config, createSseSink, endWithSpreadRetry)
  if (access.expiresAt !== undefined) endWhenGrantExpires(sink, access.expiresAt)
  // Not awaited: a replay may wait for Redis to come back, while the client already has its stream.
  useBroadcastHub().subscribe(topics, sink, lastEventId, heartbeat).catch(() => sink.end())
  return sink.send()
})
