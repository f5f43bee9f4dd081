import type { PublishResult } from '#shared/types/notify'
import { assertMayPublish, authenticatePublisher } from '#server/lib/access'
import { publishEvent, readPublishBody } from '#server/lib/publish'

/**
 * `POST /api/notify/publish`: one event to every subscriber of its topic, on every instance. The
 * admin token publishes anywhere; a token with `notify.publish` patterns only to matching topics.
 */
export default defineEventHandler(async (event): Promise<PublishResult> => {
  const acknowledged = startPublishTimer()
  assertMethod(event, 'POST')
  const publisher = await authenticatePublisher(event)
  const body = await readPublishBody(event, useNotifyConfig().bodyLimitBytes)
  assertMayPublish(publisher, body.topic)
  const hub = useBroadcastHub()
  const published = await publishEvent(event, hub.bus, body, publisher, useIdempotencyKeys)
  acknowledged()
  if (published.duplicate) return { id: published.id, topic: published.topic, duplicate: true, delivered: 0 }
  // After the acknowledgement, not awaited: a push to a user with no tab open (docs/push.md).
  if (published.event) pushWhenAway(published.event)
  return { id: published.id, topic: published.topic, delivered: hub.subscriberCount(published.topic) }
})
