import type { H3Event } from 'h3'
import type { NotifyStats } from '#shared/types/notify'

/**
 * cloudflare-durable, in the Worker: the broadcast runs in the preset's one Durable Object, where every
 * request shares memory (a publish can write to every subscriber's stream, the heartbeat timer to all
 * of them); a plain Worker request can't write to another's stream. So the broadcast routes and what
 * reads the hub are sent there, with their method, URL (query), headers (Authorization, cookies,
 * Last-Event-ID) and body as the client sent them: whatever checks a route makes run unchanged inside
 * the object. The counting stream and the pages stay in the Worker. Inert on every other preset (no
 * `durableFetch`) and inside the object itself (`durable` is set there).
 */
// Every route that reads or writes the hub or its history belongs here (recent: the history, by topic).
const FORWARDED = new Set(['/api/notify/events', '/api/notify/publish', '/api/notify/recent', '/api/notify/stats', '/api/health'])

export default defineEventHandler(async (event) => {
  const cloudflare = cloudflareContext(event)
  if (!cloudflare?.durableFetch || !cloudflare.request || insideDurableObject(event)) return
  const path = event.path.replace(/[?#].*$/, '').replace(/(?<=.)\/+$/, '')
  if (!FORWARDED.has(path)) return
  const response = await cloudflare.durableFetch(await forwardedRequest(event, cloudflare.request))
  if (path === '/api/notify/stats' && response.ok) return withWorkerStreams(await response.json() as NotifyStats)
  return response
})

/**
 * The client's Request itself when its body is unread. Nitro's Worker entry has already read a body
 * (it hands h3 a Buffer), so a publish is sent on as a new Request with the same URL, method, headers
 * and those bytes.
 */
async function forwardedRequest(event: H3Event, request: Request): Promise<Request> {
  if (!request.bodyUsed) return request
  const body = await readRawBody(event, false)
  return new Request(request.url, { method: request.method, headers: request.headers, body: body ? new Uint8Array(body) : undefined })
}

/**
 * The object counts the broadcast streams; counting streams are held by this Worker (the isolate
 * that answers: the same view of them as on cloudflare-module). Set, not added: in `wrangler dev`
 * the object may share this isolate, and its registry then already holds them.
 */
function withWorkerStreams(stats: NotifyStats): NotifyStats {
  const byRoute = { ...stats.connections.byRoute }
  const counting = openStreams().byRoute.counting
  if (counting) byRoute.counting = counting
  else delete byRoute.counting
  const total = Object.values(byRoute).reduce((sum, n) => sum + n, 0)
  return { ...stats, connections: { ...stats.connections, total, byRoute } }
}
