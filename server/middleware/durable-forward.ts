import type { H3Event } from 'h3'
import type { NotifyStats } from '#shared/types/notify'
import type { CloudflareContext } from '#server/lib/cloudflare'
import { cloudflareContext, durableRoute, forwardedRequest, insideDurableObject, withWorkerStreams } from '#server/lib/cloudflare'

/**
 * cloudflare-durable, in the Worker: the broadcast runs in the preset's one Durable Object, where every
 * request shares memory (a publish can write to every subscriber's stream, the heartbeat timer to all
 * of them); a plain Worker request can't write to another's stream. So the routes of the hub are sent
 * there as the client sent them, and the object's answer is passed back as it comes. The counting
 * stream and the pages stay in the Worker. Inert on every other preset (no `durableFetch`) and inside
 * the object itself (`durable` is set there); synchronous then, so it costs other presets no await.
 */
export default defineEventHandler((event) => {
  const cloudflare = cloudflareContext(event)
  if (!cloudflare?.durableFetch || !cloudflare.request || insideDurableObject(event)) return
  const route = durableRoute(event)
  if (route) return forward(event, route, cloudflare as Required<CloudflareContext>)
})

async function forward(event: H3Event, route: string, cloudflare: Required<CloudflareContext>) {
  const response = await cloudflare.durableFetch(await forwardedRequest(event, cloudflare.request))
  if (route === '/api/notify/stats' && response.ok) return withWorkerStreams(await response.json() as NotifyStats)
  return response
}
