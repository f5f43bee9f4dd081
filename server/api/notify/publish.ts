import type { PublishResult } from '#shared/types/notify'

/** `POST /api/notify/publish`: one event to every subscriber of its topic, on every instance. */
export default defineEventHandler(async (event): Promise<PublishResult> => {
  const acknowledged = startPublishTimer()
  assertMethod(event, 'POST')
  await requirePublishToken(event)
  const body = await readPublishBody(event)
  const hub = useBroadcastHub()
  const published = await hub.bus.publish(body)
  acknowledged()
  return { id: published.id, topic: published.topic, delivered: hub.subscriberCount(published.topic) }
})
