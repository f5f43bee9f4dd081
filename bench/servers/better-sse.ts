/**
 * A second reference for what a held connection costs: the broadcast route written the way
 * better-sse's docs write it, on bare node:http. A session per subscriber (`createSession`), one
 * channel per topic, `channel.broadcast()` per publish. Only the routes the broadcast scenario uses;
 * the frames carry the same payload (`{ topic, data, at }`) as the app's, so the load client reads
 * both the same way. Kept in bench/, never shipped.
 *
 *   PORT=3003 HOST=127.0.0.1 NUXT_NOTIFY_PUBLISH_TOKEN=t node bench/servers/better-sse.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Channel } from 'better-sse'
import { createChannel, createSession } from 'better-sse'
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const port = Number(process.env.PORT ?? 3003)
const host = process.env.HOST ?? '127.0.0.1'
const token = process.env.NUXT_NOTIFY_PUBLISH_TOKEN ?? ''
const heartbeatMs = Number(process.env.NUXT_NOTIFY_HEARTBEAT_MS ?? 15_000)
const NAME_PATTERN = /^[\w.:-]{1,128}$/
const HEADERS = {
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
}

const channels = new Map<string, Channel>()
let openSessions = 0
const epoch = Date.now()
let seq = 0

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body)
  res.writeHead(status, { ...HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) })
  res.end(json)
}

function channelOf(topic: string): Channel {
  let channel = channels.get(topic)
  if (!channel) channels.set(topic, channel = createChannel())
  return channel
}

async function subscribe(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const topics = new Set(url.searchParams.getAll('topic'))
  if (topics.size === 0) topics.add('broadcast')
  for (const topic of topics) {
    if (!NAME_PATTERN.test(topic)) return sendJson(res, 400, { statusCode: 400, message: 'bad topic' })
  }
  const session = await createSession(req, res, { retry: 3000, keepAlive: heartbeatMs, headers: { 'access-control-allow-origin': '*' } })
  openSessions++
  session.once('disconnected', () => openSessions--)
  // The channel deregisters a session by itself when it disconnects.
  for (const topic of topics) channelOf(topic).register(session)
}

function tokenMatches(header: string | undefined): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim()
  if (!token || !given) return false
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(token))
}

async function publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { statusCode: 405 })
  if (!tokenMatches(req.headers.authorization)) return sendJson(res, 401, { statusCode: 401 })
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  let body: { topic?: unknown, event?: unknown, data?: unknown }
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  }
  catch {
    return sendJson(res, 400, { statusCode: 400, message: 'invalid JSON' })
  }
  const topic = typeof body.topic === 'string' ? body.topic : 'broadcast'
  const event = typeof body.event === 'string' ? body.event : 'message'
  if (!NAME_PATTERN.test(topic) || !NAME_PATTERN.test(event) || body.data === undefined) return sendJson(res, 400, { statusCode: 400 })
  const id = `${epoch}-${++seq}`
  const channel = channels.get(topic)
  channel?.broadcast({ topic, data: body.data, at: new Date().toISOString() }, event, { eventId: id })
  sendJson(res, 200, { id, topic, delivered: channel?.sessionCount ?? 0 })
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const failed = () => res.destroy()
  switch (url.pathname) {
    case '/api/notify/events': return void subscribe(req, res, url).catch(failed)
    case '/api/notify/publish': return void publish(req, res).catch(failed)
    case '/api/notify/stats': return sendJson(res, 200, { connections: { total: openSessions } })
    default: return sendJson(res, 404, { statusCode: 404 })
  }
})

process.once('SIGTERM', () => process.exit(0))
server.listen(port, host, () => console.log(`Listening on http://${host}:${port}`))
