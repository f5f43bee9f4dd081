import type { PublishResult } from '#shared/types/notify'
import { assertMayPublish, authenticatePublisher } from '#server/lib/access'

/**
 * `POST /api/notify/publish`: one event to every subscriber of its topic, on every instance. The
 * admin token publishes anywhere; a token with `notify.publish` patterns only to matching topics.
 */
export default defineEventHandler(async (event): Promise<PublishResult> => {
  const acknowledged = startPublishTimer()
  assertMethod(event, 'POST')
  const publisher = await authenticatePublisher(event)
  const body = await readPublishBody(event)
  assertMayPublish(publisher, body.topic)
  const hub = useBroadcastHub()
  const published = await hub.bus.publish(body)
  acknowledged()
  // After the acknowledgement, not awaited: a push to a user with no tab open (docs/push.md).
  pushWhenAway(published)
  return { id: published.id, topic: published.topic, delivered: hub.subscriberCount(published.topic) }
})
