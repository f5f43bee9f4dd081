/**
 * The load generator. run.ts forks it, so parsing thousands of streams never shares an event loop
 * with the server under test (on 2 cores the OS can put the two on different cores). It speaks
 * HTTP/1.1 over raw `node:net` sockets: one fetch() per subscriber would cost more memory and CPU at
 * 10k than the server being measured. Commands arrive over IPC, each answered by exactly one reply.
 */
import type { Socket } from 'node:net'
import { connect } from 'node:net'

export type Command
  = | { type: 'subscribe', port: number, path: string, n: number, timeoutMs: number }
    | { type: 'collect', messages: number, timeoutMs: number }
    | { type: 'counting', port: number, path: string, n: number, timeoutMs: number }
    | { type: 'churn', port: number, path: string, cycles: number, timeoutMs: number }
    | { type: 'close' }

export interface Subscribed { type: 'subscribed', ready: number, failed: number, seconds: number, firstError?: string }
export interface Latency { p50: number, p99: number, max: number, mean: number }
export interface Collected {
  type: 'collected'
  /** Broadcast frames received, over all subscribers; `expected` = subscribers × messages. */
  received: number
  expected: number
  /** Subscribers that got every message, once each, in order. */
  complete: number
  subscribers: number
  outOfOrder: number
  minPerSubscriber: number
  maxPerSubscriber: number
  latencyMs: Latency
}
export interface Counted {
  type: 'counted'
  streams: number
  /** Streams that got every message, the customEvents, `done`, and then the end of the response. */
  complete: number
  messages: number
  customEvents: number
  done: number
  seconds: number
  firstError?: string
}
export interface Churned { type: 'churned', cycles: number, ok: number, failed: number, seconds: number, perSecond: number, firstError?: string }
export type Reply = Subscribed | Collected | Counted | Churned | { type: 'closed' } | { type: 'error', message: string }

/** Same clock as the publisher in the other process: both are on this machine. */
const now = () => performance.timeOrigin + performance.now()
/** Connections waiting for their first frame at once: well under the server's listen backlog (511). */
const CONNECT_CONCURRENCY = 200

interface Frame { id?: string, event?: string, retry?: string, data?: string }

function parseFrame(text: string): Frame {
  const frame: Frame = {}
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon === 0) continue // a comment: the heartbeat
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1)
    if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`
    else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value
  }
  return frame
}

/**
 * One HTTP/1.1 response off a raw socket: status line and headers, the chunked body, then SSE frames.
 * Bytes are read as latin1 (one char per byte), so chunk sizes can be counted on the string; '\n'
 * never occurs inside a UTF-8 sequence, and what we read from frames (ids, names, numbers) is ASCII.
 */
class ResponseReader {
  status = 0
  /** The terminating zero-size chunk arrived: the server ended the response. */
  ended = false
  private headDone = false
  private chunked = false
  private state: 'size' | 'data' | 'crlf' = 'size'
  private chunkLeft = 0
  private raw = ''
  private sse = ''

  push(bytes: Buffer, onFrame: (frame: Frame) => void): void {
    this.raw += bytes.toString('latin1')
    if (!this.headDone) {
      const end = this.raw.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = this.raw.slice(0, end)
      this.status = Number(head.slice(9, 12))
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head)
      this.raw = this.raw.slice(end + 4)
      this.headDone = true
    }
    if (this.chunked) this.dechunk()
    else {
      this.sse += this.raw
      this.raw = ''
    }
    if (this.status !== 200) return
    let end: number
    while ((end = this.sse.indexOf('\n\n')) >= 0) {
      const text = this.sse.slice(0, end)
      this.sse = this.sse.slice(end + 2)
      onFrame(parseFrame(text))
    }
  }

  private dechunk(): void {
    while (this.raw.length > 0 && !this.ended) {
      if (this.state === 'size') {
        const eol = this.raw.indexOf('\r\n')
        if (eol < 0) return
        this.chunkLeft = Number.parseInt(this.raw.slice(0, eol), 16)
        this.raw = this.raw.slice(eol + 2)
        if (this.chunkLeft === 0) this.ended = true
        else this.state = 'data'
      }
      else if (this.state === 'data') {
        const take = Math.min(this.chunkLeft, this.raw.length)
        this.sse += this.raw.slice(0, take)
        this.raw = this.raw.slice(take)
        this.chunkLeft -= take
        if (this.chunkLeft === 0) this.state = 'crlf'
      }
      else {
        if (this.raw.length < 2) return
        this.raw = this.raw.slice(2)
        this.state = 'size'
      }
    }
  }
}

interface Stream { socket: Socket, reader: ResponseReader }

/** Opens one GET; `onFrame` gets each SSE frame with the time its bytes were read. */
function openStream(port: number, path: string, onFrame: (frame: Frame, at: number) => void, onClose: (stream: Stream, error?: Error) => void): Stream {
  const socket = connect({ port, host: '127.0.0.1' })
  const stream: Stream = { socket, reader: new ResponseReader() }
  let error: Error | undefined
  socket.setNoDelay(true)
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`)
  socket.on('data', (bytes: Buffer) => {
    const at = now()
    stream.reader.push(bytes, frame => onFrame(frame, at))
  })
  socket.on('error', (e) => {
    error = e
  })
  socket.on('close', () => onClose(stream, error))
  return stream
}

/** Runs `total` tasks, at most `concurrency` at a time; each task calls `done` once. */
function pool(total: number, concurrency: number, task: (index: number, done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let next = 0
    let running = 0
    const launch = () => {
      if (next >= total && running === 0) return resolve()
      while (running < concurrency && next < total) {
        running++
        let finished = false
        task(next++, () => {
          if (finished) return
          finished = true
          running--
          launch()
        })
      }
    }
    launch()
  })
}

function withTimeout(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false)
  })
  return Promise.race([work.then(() => true), timeout]).finally(() => clearTimeout(timer))
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

// ---- broadcast subscribers -------------------------------------------------------------------------

interface Subscriber { stream: Stream, ready: boolean, received: number, lastSeq: number, outOfOrder: number }
const subscribers: Subscriber[] = []
let latencies: number[] = []

async function subscribe(port: number, path: string, n: number, timeoutMs: number): Promise<Subscribed> {
  const started = now()
  let failed = 0
  let firstError: string | undefined
  const work = pool(n, CONNECT_CONCURRENCY, (_, done) => {
    const subscriber: Subscriber = {
      ready: false,
      received: 0,
      lastSeq: 0,
      outOfOrder: 0,
      stream: openStream(port, path, (frame, at) => {
        if (frame.retry !== undefined && !subscriber.ready) {
          subscriber.ready = true
          done()
        }
        if (frame.data === undefined) return
        // The publisher put its send time and a sequence number in the published data; seq 0 is warm-up.
        const { seq, sentAt } = (JSON.parse(frame.data) as { data: { seq: number, sentAt: number } }).data
        if (seq <= 0) return
        latencies.push(at - sentAt)
        subscriber.received++
        if (seq <= subscriber.lastSeq) subscriber.outOfOrder++
        subscriber.lastSeq = seq
      }, (stream, error) => {
        if (!subscriber.ready) {
          failed++
          firstError ??= error?.message ?? `closed before the first frame (HTTP ${stream.reader.status})`
        }
        done()
      }),
    }
    subscribers.push(subscriber)
  })
  await withTimeout(work, timeoutMs)
  const ready = subscribers.filter(s => s.ready && !s.stream.socket.destroyed).length
  return { type: 'subscribed', ready, failed, seconds: (now() - started) / 1000, firstError }
}

/** Waits until every subscriber has `messages` frames (or the timeout), then summarises. */
async function collect(messages: number, timeoutMs: number): Promise<Collected> {
  const deadline = now() + timeoutMs
  // A subscriber the server dropped will never catch up: only the open ones are waited for.
  while (now() < deadline && subscribers.some(s => s.received < messages && !s.stream.socket.destroyed)) await sleep(20)
  const sorted = Float64Array.from(latencies).sort()
  const counts = subscribers.map(s => s.received)
  const result: Collected = {
    type: 'collected',
    received: counts.reduce((a, b) => a + b, 0),
    expected: subscribers.length * messages,
    complete: subscribers.filter(s => s.received === messages && s.outOfOrder === 0).length,
    subscribers: subscribers.length,
    outOfOrder: subscribers.reduce((a, s) => a + s.outOfOrder, 0),
    minPerSubscriber: counts.length ? Math.min(...counts) : 0,
    maxPerSubscriber: counts.length ? Math.max(...counts) : 0,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted.at(-1) ?? Number.NaN,
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    },
  }
  latencies = []
  return result
}

function closeAll(): void {
  for (const subscriber of subscribers.splice(0)) subscriber.stream.socket.destroy()
}

// ---- counting streams ------------------------------------------------------------------------------

/** Opens `n` counting streams (as fast as the server accepts them) and waits for every one to end. */
async function counting(port: number, path: string, n: number, timeoutMs: number): Promise<Counted> {
  const started = now()
  const result: Counted = { type: 'counted', streams: n, complete: 0, messages: 0, customEvents: 0, done: 0, seconds: 0 }
  const total = Number(new URLSearchParams(path.split('?')[1]).get('count'))
  const open: Stream[] = []
  const allClosed = Promise.withResolvers<undefined>()
  let closed = 0
  // The connects are bounded (a slot frees at the first frame); then all n streams run side by side.
  const connecting = pool(n, CONNECT_CONCURRENCY, (_, connected) => {
    let messages = 0
    let done = false
    const stream = openStream(port, path, (frame) => {
      connected()
      if (frame.event === 'customEvent') result.customEvents++
      else if (frame.event === 'done') done = true
      else if (frame.data !== undefined) messages++
    }, (stream, error) => {
      connected()
      result.messages += messages
      if (done) result.done++
      if (done && messages === total && stream.reader.ended) result.complete++
      else result.firstError ??= error?.message ?? `ended after ${messages} messages (HTTP ${stream.reader.status})`
      if (++closed === n) allClosed.resolve(undefined)
    })
    // The response ended, but a keep-alive socket stays open: we close it, as a browser would idle it.
    stream.socket.on('data', () => {
      if (stream.reader.ended) stream.socket.end()
    })
    open.push(stream)
  })
  await withTimeout(connecting.then(() => allClosed.promise).then(() => {}), timeoutMs)
  for (const stream of open) stream.socket.destroy()
  result.seconds = (now() - started) / 1000
  return result
}

// ---- churn -----------------------------------------------------------------------------------------

/** Subscribe, wait for the retry frame, leave: even cycles with a clean FIN, odd ones with a RST. */
async function churn(port: number, path: string, cycles: number, timeoutMs: number): Promise<Churned> {
  const started = now()
  let ok = 0
  let failed = 0
  let firstError: string | undefined
  const open = new Set<Socket>()
  await withTimeout(pool(cycles, 50, (index, done) => {
    let ready = false
    const stream = openStream(port, path, (frame) => {
      if (ready || frame.retry === undefined) return
      ready = true
      if (index % 2 === 0) stream.socket.end()
      else stream.socket.resetAndDestroy()
    }, (_stream, error) => {
      open.delete(stream.socket)
      if (ready) ok++
      else {
        failed++
        firstError ??= error?.message ?? 'closed before the first frame'
      }
      done()
    })
    open.add(stream.socket)
  }), timeoutMs)
  for (const socket of open) socket.destroy()
  const seconds = (now() - started) / 1000
  return { type: 'churned', cycles, ok, failed, seconds, perSecond: ok / seconds, firstError }
}

// ---- IPC -------------------------------------------------------------------------------------------

async function handle(command: Command): Promise<Reply> {
  switch (command.type) {
    case 'subscribe': return subscribe(command.port, command.path, command.n, command.timeoutMs)
    case 'collect': return collect(command.messages, command.timeoutMs)
    case 'counting': return counting(command.port, command.path, command.n, command.timeoutMs)
    case 'churn': return churn(command.port, command.path, command.cycles, command.timeoutMs)
    case 'close':
      closeAll()
      return { type: 'closed' }
  }
}

process.on('message', (command: Command) => {
  handle(command)
    .catch((error: unknown): Reply => ({ type: 'error', message: String((error as Error)?.stack ?? error) }))
    .then(reply => process.send!(reply))
})
// The orchestrator is gone (finished, or killed): never linger holding sockets.
process.on('disconnect', () => process.exit(0))
