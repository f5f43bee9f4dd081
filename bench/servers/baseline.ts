/**
 * The yardstick: the three SSE routes of the app on bare `node:http`, no framework, same wire format.
 * It is what "as cheap as SSE on Node gets" looks like, so the Nuxt numbers have something to be
 * divided by. Kept in bench/, never shipped. No Last-Event-ID replay: the benchmark never reconnects.
 *
 *   PORT=3002 HOST=127.0.0.1 NUXT_NOTIFY_PUBLISH_TOKEN=t node bench/servers/baseline.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const port = Number(process.env.PORT ?? 3002)
const host = process.env.HOST ?? '127.0.0.1'
const token = process.env.NUXT_NOTIFY_PUBLISH_TOKEN ?? ''
const heartbeatMs = Number(process.env.NUXT_NOTIFY_HEARTBEAT_MS ?? 15_000)
const RETRY_MS = 3000
const MAX_QUEUED_BYTES = 1024 * 1024
const BODY_LIMIT_BYTES = 64 * 1024
const NAME_PATTERN = /^[\w.:-]{1,128}$/

// The same headers the Nuxt routes send (security headers on JSON answers, CORS on the streams), so
// both answer with similar bytes.
const COMMON_HEADERS = {
  'access-control-allow-origin': '*',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
}
const SSE_HEADERS = {
  'access-control-allow-origin': '*',
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
}

const RETRY_FRAME = Buffer.from(`retry: ${RETRY_MS}\n\n`)
const HEARTBEAT_FRAME = Buffer.from(':\n\n')

const subscribersByTopic = new Map<string, Set<ServerResponse>>()
let openStreams = 0
const epoch = Date.now()
let seq = 0

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body)
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) })
  res.end(json)
}

/** Like the Nuxt sink: a subscriber more than 1 MiB behind is cut off instead of buffered without bound. */
function writeTo(res: ServerResponse, frame: Buffer): boolean {
  if (res.destroyed) return false
  if (res.writableLength > MAX_QUEUED_BYTES) {
    res.destroy()
    return false
  }
  res.write(frame)
  return true
}

/** GET /api/notify/events?topic=T: a retry hint at once, then every frame published to T. */
function subscribe(res: ServerResponse, url: URL): void {
  const topics = new Set(url.searchParams.getAll('topic'))
  if (topics.size === 0) topics.add('broadcast')
  for (const topic of topics) {
    if (!NAME_PATTERN.test(topic)) return sendJson(res, 400, { statusCode: 400, message: 'bad topic' })
  }
  res.writeHead(200, SSE_HEADERS)
  res.write(RETRY_FRAME)
  openStreams++
  for (const topic of topics) {
    let set = subscribersByTopic.get(topic)
    if (!set) subscribersByTopic.set(topic, set = new Set())
    set.add(res)
  }
  res.once('close', () => {
    openStreams--
    for (const topic of topics) {
      const set = subscribersByTopic.get(topic)
      set?.delete(res)
      if (set?.size === 0) subscribersByTopic.delete(topic)
    }
  })
}

function tokenMatches(header: string | undefined): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim()
  if (!token || !given) return false
  // Digests, so the comparison takes the same time whatever the length (as the Nuxt route does).
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(given), digest(token))
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > BODY_LIMIT_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** POST /api/notify/publish: the frame is serialised once, and that one Buffer goes to every subscriber. */
async function publish(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return sendJson(res, 405, { statusCode: 405 })
  if (!tokenMatches(req.headers.authorization)) return sendJson(res, 401, { statusCode: 401 })
  if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) return sendJson(res, 415, { statusCode: 415 })
  const raw = await readBody(req)
  if (raw === undefined) return sendJson(res, 413, { statusCode: 413 })
  let body: { topic?: unknown, event?: unknown, data?: unknown }
  try {
    body = JSON.parse(raw)
  }
  catch {
    return sendJson(res, 400, { statusCode: 400, message: 'invalid JSON' })
  }
  const topic = body.topic ?? 'broadcast'
  const event = body.event ?? 'message'
  if (typeof topic !== 'string' || !NAME_PATTERN.test(topic) || typeof event !== 'string' || !NAME_PATTERN.test(event) || body.data === undefined) {
    return sendJson(res, 400, { statusCode: 400, message: 'invalid body' })
  }
  const id = `${epoch}-${++seq}`
  const payload = JSON.stringify({ topic, data: body.data, at: new Date().toISOString() })
  const frame = Buffer.from(`id: ${id}\nevent: ${event}\ndata: ${payload}\n\n`)
  let delivered = 0
  for (const subscriber of subscribersByTopic.get(topic) ?? []) {
    if (writeTo(subscriber, frame)) delivered++
  }
  sendJson(res, 200, { id, topic, delivered })
}

function integerParam(url: URL, name: string, min: number, max: number, fallback: number): number | undefined {
  const raw = url.searchParams.get(name)
  if (raw === null) return fallback
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN
  return value >= min && value <= max ? value : undefined
}

/** GET /api/notify/stream?count&interval: one setInterval per connection, the framing h3's event stream uses. */
function countingStream(res: ServerResponse, url: URL): void {
  const total = integerParam(url, 'count', 1, 10_000, 200)
  const interval = integerParam(url, 'interval', 10, 60_000, 200)
  if (total === undefined || interval === undefined) return sendJson(res, 400, { statusCode: 400 })
  res.writeHead(200, SSE_HEADERS)
  openStreams++
  let n = 0
  const stop = () => {
    if (!timer) return
    clearInterval(timer)
    timer = undefined
    openStreams--
  }
  const tick = () => {
    n++
    const data = JSON.stringify({ count: n, total, message: `这是第${n}次发送的SSE数据`, at: new Date().toISOString() })
    let out = `id: ${n}\n${n === 1 ? `retry: ${RETRY_MS}\n` : ''}data: ${data}\n\n`
    if (n % 10 === 0) out += `event: customEvent\ndata: ${JSON.stringify({ count: n, total })}\n\n`
    if (n < total) return void res.write(out)
    stop()
    res.end(`${out}event: done\ndata: ${JSON.stringify({ total })}\n\n`)
  }
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(tick, interval)
  res.once('close', stop)
  tick()
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  switch (url.pathname) {
    case '/api/notify/events': return subscribe(res, url)
    case '/api/notify/publish': return void publish(req, res).catch(() => res.destroy())
    case '/api/notify/stream': return countingStream(res, url)
    case '/api/notify/stats': return sendJson(res, 200, { connections: { total: openStreams } })
    default: return sendJson(res, 404, { statusCode: 404 })
  }
})

const heartbeat = setInterval(() => {
  for (const set of subscribersByTopic.values()) {
    for (const res of set) writeTo(res, HEARTBEAT_FRAME)
  }
}, heartbeatMs)
heartbeat.unref()

// An orderly exit on SIGTERM, so `node --cpu-prof` gets to write its profile.
process.once('SIGTERM', () => process.exit(0))

server.listen(port, host, () => console.log(`Listening on http://${host}:${port}`))
