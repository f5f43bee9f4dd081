import type { H3Event } from 'h3'
import { readRawBody } from 'h3'
import type { NotifyStats } from '#shared/types/notify'
import { openStreams } from '../streams'

/**
 * The routes that run inside the Durable Object on cloudflare-durable: every route that reads or
 * writes the hub or its history (recent and the inbox: the history, by topic; metrics and presence: the hub's
 * counts). The rest stays in the Worker.
 */
const IN_DURABLE_OBJECT = new Set([
  '/api/notify/events', '/api/notify/publish', '/api/notify/recent', '/api/notify/stats', '/api/notify/metrics', '/api/notify/presence',
  '/api/inbox', '/api/health',
])

/** The inbox's routes below `/api/inbox`: its item, read-all and seen (their items are the history). */
const INBOX_ROUTES = /^\/api\/inbox\/[\w.-]+$/

/** The route's path if it is one of those, without query or trailing slash; else undefined. */
export function durableRoute(event: H3Event): string | undefined {
  const path = event.path.replace(/[?#].*$/, '').replace(/(?<=.)\/+$/, '')
  return IN_DURABLE_OBJECT.has(path) || INBOX_ROUTES.test(path) ? path : undefined
}

/**
 * The client's Request itself when its body is unread. Nitro's Worker entry has already read a body
 * (it hands h3 a Buffer), so a publish goes on as a new Request with the same URL (query), method,
 * headers (Authorization, cookies, Last-Event-ID) and those bytes: a route's checks run unchanged
 * inside the object.
 */
export async function forwardedRequest(event: H3Event, request: Request): Promise<Request> {
  if (!request.bodyUsed) return request
  const body = await readRawBody(event, false)
  return new Request(request.url, { method: request.method, headers: request.headers, body: body ? new Uint8Array(body) : undefined })
}

/**
 * The object counts the broadcast streams; counting streams are held by the Worker (the isolate
 * that answers: the same view of them as on cloudflare-module). Set, not added: in `wrangler dev`
 * the object may share the Worker's isolate, and its registry then already holds them.
 */
export function withWorkerStreams(stats: NotifyStats): NotifyStats {
  const byRoute = { ...stats.connections.byRoute }
  const counting = openStreams().byRoute.counting
  if (counting) byRoute.counting = counting
  else delete byRoute.counting
  const total = Object.values(byRoute).reduce((sum, n) => sum + n, 0)
  return { ...stats, connections: { ...stats.connections, total, byRoute } }
}
