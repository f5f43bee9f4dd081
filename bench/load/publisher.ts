/**
 * Sustained publishes: `connections` keep-alive sockets, each with one `POST /api/notify/publish` in
 * flight at a time (HTTP/1.1 without pipelining, as a pool of publishers sends them). With `rate` 0
 * every socket sends its next request as soon as the last one's answer is in (closed loop: the most
 * the server sustains); with a rate, requests are due on a fixed schedule spread over the sockets
 * (open loop) and the acknowledgement time runs from when a request was due, so a server that falls
 * behind shows it in the p99 instead of slowing the load down (no coordinated omission).
 */
import type { Socket } from 'node:net'
import { connect } from 'node:net'

export interface PublishPlan {
  port: number
  token: string
  /** Topic of publish i: `${topicPrefix}${i % topics}`. */
  topicPrefix: string
  topics: number
  connections: number
  /** Publishes per second over all sockets; 0 = as fast as the answers come. */
  rate: number
  /** Measured window; `warmUpSeconds` of the same load run first and are not counted. */
  seconds: number
  warmUpSeconds: number
}

export interface Published {
  type: 'published'
  /** Answered 200 within the measured window. */
  ok: number
  failed: number
  /** Answered 200 at any time, warm-up included: what the server acknowledged. */
  acknowledged: number
  /** Status code (or `error`) -> count, of the failed ones. */
  failures: Record<string, number>
  firstError?: string
  seconds: number
  perSecond: number
  /** Due (open loop) or sent (closed loop) to the 200, in ms. */
  ackMs: { p50: number, p99: number, max: number }
  /** Requests still unanswered (or never sent, open loop) when the window closed. */
  behind: number
}

const now = () => performance.timeOrigin + performance.now()

interface Publisher { socket: Socket, busy: boolean, startedAt: number, raw: string }

/** The end of one response in `raw` (a JSON answer with content-length), or -1 while it is incomplete. */
function responseEnd(raw: string): number {
  const head = raw.indexOf('\r\n\r\n')
  if (head < 0) return -1
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, head))
  if (length) return raw.length >= head + 4 + Number(length[1]) ? head + 4 + Number(length[1]) : -1
  const chunkedEnd = raw.indexOf('\r\n0\r\n\r\n', head)
  return chunkedEnd < 0 ? -1 : chunkedEnd + 7
}

export async function publishLoad(plan: PublishPlan): Promise<Published> {
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  let firstError: string | undefined
  let ok = 0
  let acknowledged = 0
  let failed = 0
  let seq = 0
  let measuring = false
  let stopped = false
  const due: number[] = []
  const idle: Publisher[] = []

  const record = (startedAt: number, status: string) => {
    if (status === '200') acknowledged++
    if (!measuring) return
    if (status === '200') {
      ok++
      latencies.push(now() - startedAt)
    }
    else {
      failed++
      failures[status] = (failures[status] ?? 0) + 1
    }
  }

  const send = (publisher: Publisher, startedAt: number) => {
    const i = seq++
    const body = JSON.stringify({ topic: `${plan.topicPrefix}${i % plan.topics}`, data: { seq: i, sentAt: Date.now() } })
    publisher.busy = true
    publisher.startedAt = startedAt
    publisher.socket.write(`POST /api/notify/publish HTTP/1.1\r\nHost: 127.0.0.1:${plan.port}\r\nAuthorization: Bearer ${plan.token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  }

  const next = (publisher: Publisher) => {
    publisher.busy = false
    if (stopped) return
    if (plan.rate === 0) return send(publisher, now())
    const at = due.shift()
    if (at === undefined) idle.push(publisher)
    else send(publisher, at)
  }

  const open = (): Publisher => {
    const socket = connect({ port: plan.port, host: '127.0.0.1' })
    const publisher: Publisher = { socket, busy: false, startedAt: 0, raw: '' }
    socket.setNoDelay(true)
    socket.on('data', (bytes: Buffer) => {
      publisher.raw += bytes.toString('latin1')
      const end = responseEnd(publisher.raw)
      if (end < 0) return
      const status = publisher.raw.slice(9, 12)
      if (status !== '200') firstError ??= `${status}: ${publisher.raw.slice(publisher.raw.indexOf('\r\n\r\n') + 4, end).slice(0, 200)}`
      publisher.raw = publisher.raw.slice(end)
      record(publisher.startedAt, status)
      next(publisher)
    })
    socket.on('error', (error) => {
      firstError ??= error.message
    })
    socket.on('close', () => {
      if (publisher.busy) record(publisher.startedAt, 'error')
      // The server hung up (keep-alive timeout, a refusal): a new socket takes this one's place.
      if (!stopped) publishers[publishers.indexOf(publisher)] = open()
    })
    socket.once('connect', () => next(publisher))
    return publisher
  }

  const publishers: Publisher[] = []
  for (let c = 0; c < plan.connections; c++) publishers.push(open())

  // Open loop: every millisecond, what fell due goes to an idle socket, or waits (and its clock runs).
  let ticker: ReturnType<typeof setInterval> | undefined
  if (plan.rate > 0) {
    const startedAt = now()
    let scheduled = 0
    ticker = setInterval(() => {
      const target = Math.floor((now() - startedAt) / 1000 * plan.rate)
      for (; scheduled < target; scheduled++) due.push(startedAt + scheduled * 1000 / plan.rate)
      while (due.length && idle.length) send(idle.pop()!, due.shift()!)
    }, 1)
  }

  await new Promise(resolve => setTimeout(resolve, plan.warmUpSeconds * 1000))
  measuring = true
  const windowStart = now()
  await new Promise(resolve => setTimeout(resolve, plan.seconds * 1000))
  measuring = false
  const seconds = (now() - windowStart) / 1000
  stopped = true
  clearInterval(ticker)
  const behind = due.length + publishers.filter(p => p.busy).length
  for (const publisher of publishers) publisher.socket.destroy()

  const sorted = Float64Array.from(latencies).sort()
  const quantile = (q: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]! : Number.NaN
  return { type: 'published', ok, failed, acknowledged, failures, firstError, seconds, perSecond: ok / seconds, ackMs: { p50: quantile(0.5), p99: quantile(0.99), max: sorted.at(-1) ?? Number.NaN }, behind }
}
