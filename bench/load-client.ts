/**
 * The load generator. run.ts forks it, so parsing thousands of streams never shares an event loop
 * with the server under test (on 2 cores the OS can put the two on different cores). It speaks
 * HTTP/1.1 over raw `node:net` sockets: one fetch() per subscriber would cost more memory and CPU at
 * 10k than the server being measured. Commands arrive over IPC, each answered by exactly one reply.
 */
import type { Socket } from 'node:net'
import { connect } from 'node:net'
import type { Frame } from './load/response-reader.ts'
import { ResponseReader } from './load/response-reader.ts'
import type { PublishPlan, Published } from './load/publisher.ts'
import { publishLoad } from './load/publisher.ts'
import { SignJWT } from 'jose'

export type Command
  = | { type: 'subscribe', port: number, path: string, n: number, timeoutMs: number }
    | { type: 'collect', messages: number, timeoutMs: number }
    | { type: 'counting', port: number, path: string, n: number, timeoutMs: number }
    | { type: 'churn', port: number, path: string, cycles: number, timeoutMs: number, tokens?: TokenPlan }
    | { type: 'arm-reconnect', port: number, path: string }
    | { type: 'reconnected', since: number, timeoutMs: number }
    | { type: 'storm-connect', port: number, path: string, n: number }
    | { type: 'resumed', lastSeq: number, timeoutMs: number }
    | { type: 'publish-load', plan: PublishPlan }
    | { type: 'close' }

/**
 * A subscriber token per connect: HS256 JWTs for `users` users (`sub` = `bench-<i>`, the claim
 * `notify.subscribe: ["user:bench-<i>"]`), minted with jose before the timed churn; connect i reads
 * the private topic `user:bench-<i mod users>` with user i's token, in `Authorization: Bearer`.
 */
export interface TokenPlan { secret: string, users: number, ttlSeconds: number }

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
/** `firstFrameMs`: per connect, from opening the socket to the first frame (the retry hint): p50 and p99. */
export interface Churned { type: 'churned', cycles: number, ok: number, failed: number, seconds: number, perSecond: number, firstFrameMs: { p50: number, p99: number }, firstError?: string }
/** Every subscriber whose stream the server ended has a new one (its first frame arrived), or time ran out. */
export interface Reconnected {
  type: 'reconnected'
  subscribers: number
  /** Subscribers live on the new server. */
  live: number
  /** From `since` (the SIGTERM) to the first and the last subscriber live again, in seconds. */
  firstSeconds: number
  allSeconds: number
  failedAttempts: number
  firstError?: string
}
/** Per subscriber, the published sequence 1..lastSeq must have arrived exactly once, in order. */
export interface Resumed { type: 'resumed', subscribers: number, complete: number, lost: number, duplicated: number, resets: number, seconds: number }
export type { Published }
export type Reply = Published | Subscribed | Collected | Counted | Churned | Reconnected | Resumed | { type: 'closed' } | { type: 'ok' } | { type: 'error', message: string }

/** Same clock as the publisher in the other process: both are on this machine. */
const now = () => performance.timeOrigin + performance.now()
/** Connections waiting for their first frame at once: well under the server's listen backlog (511). */
const CONNECT_CONCURRENCY = 200

interface Stream { socket: Socket, reader: ResponseReader }

/** Opens one GET; `onFrame` gets each SSE frame with the time its bytes were read. */
function openStream(port: number, path: string, onFrame: (frame: Frame, at: number) => void, onClose: (stream: Stream, error?: Error) => void, headers = ''): Stream {
  const socket = connect({ port, host: '127.0.0.1' })
  const stream: Stream = { socket, reader: new ResponseReader() }
  let error: Error | undefined
  socket.setNoDelay(true)
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n${headers}\r\n`)
  socket.on('data', (bytes: Buffer) => {
    const at = now()
    stream.reader.push(bytes, frame => onFrame(frame, at))
    // A refusal (4xx/5xx with a JSON body) never becomes a stream: hang up rather than idle on keep-alive.
    // An ended response (a server's drain, a finished counting stream) is the end of the stream too.
    if ((stream.reader.status !== 0 && stream.reader.status !== 200) || stream.reader.ended) socket.destroy()
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

interface Subscriber {
  stream: Stream
  /** The current stream's first frame (the retry hint) arrived. */
  ready: boolean
  received: number
  lastSeq: number
  outOfOrder: number
  /** Sequence numbers skipped over (storm: events the resume did not bring). */
  lost: number
  /** The id of the last event received: sent as Last-Event-ID when it reconnects. */
  lastId?: string
  resets: number
  /** When its stream on the reconnect target became live. */
  liveAgainAt?: number
}
const subscribers: Subscriber[] = []
let latencies: number[] = []

/** Where subscribers go when the server ends their stream (the storm); unset: they stay gone. */
let reconnectTarget: { port: number, path: string } | undefined
let reconnectQueue: Subscriber[] = []
let reconnecting = 0
let failedReconnects = 0
let firstReconnectError: string | undefined

/** One subscriber's stream: counts the published sequence numbers it receives, remembers the last id. */
function attach(subscriber: Subscriber, port: number, path: string, onReady: () => void, onLost: (stream: Stream, error?: Error) => void): Stream {
  const headers = subscriber.lastId ? `Last-Event-ID: ${subscriber.lastId}\r\n` : ''
  return openStream(port, path, (frame, at) => {
    if (frame.retry !== undefined && !subscriber.ready) {
      subscriber.ready = true
      onReady()
    }
    if (frame.data === undefined) return
    if (frame.id !== undefined) subscriber.lastId = frame.id
    if (frame.event === 'reset') {
      subscriber.resets++
      return
    }
    // The publisher put its send time and a sequence number in the published data; seq 0 is warm-up.
    const { seq, sentAt } = (JSON.parse(frame.data) as { data: { seq: number, sentAt: number } }).data
    if (seq <= 0) return
    latencies.push(at - sentAt)
    subscriber.received++
    if (seq <= subscriber.lastSeq) subscriber.outOfOrder++
    else {
      subscriber.lost += seq - subscriber.lastSeq - 1
      subscriber.lastSeq = seq
    }
  }, (stream, error) => {
    const wasReady = subscriber.ready
    subscriber.ready = false
    if (!wasReady) onLost(stream, error)
    else if (reconnectTarget && subscriber.liveAgainAt === undefined) {
      reconnectQueue.push(subscriber)
      pumpReconnects()
    }
  }, headers)
}

/** Reconnects queued subscribers to the target, at most CONNECT_CONCURRENCY waiting for their first frame at once. */
function pumpReconnects(): void {
  while (reconnectTarget && reconnecting < CONNECT_CONCURRENCY && reconnectQueue.length > 0) {
    const subscriber = reconnectQueue.pop()!
    const { port, path } = reconnectTarget
    reconnecting++
    let settled = false
    const settle = () => {
      if (settled) return false
      settled = true
      reconnecting--
      setImmediate(pumpReconnects)
      return true
    }
    subscriber.stream = attach(subscriber, port, path, () => {
      if (settle()) subscriber.liveAgainAt = now()
    }, (stream, error) => {
      if (!settle()) return
      // Refused or cut before its first frame: try again (a storm's 503s are part of it), briefly later.
      failedReconnects++
      firstReconnectError ??= error?.message ?? `closed before the first frame (HTTP ${stream.reader.status})`
      setTimeout(() => {
        reconnectQueue.push(subscriber)
        pumpReconnects()
      }, 50)
    })
  }
}

async function subscribe(port: number, path: string, n: number, timeoutMs: number): Promise<Subscribed> {
  const started = now()
  let failed = 0
  let firstError: string | undefined
  const work = pool(n, CONNECT_CONCURRENCY, (_, done) => {
    const subscriber: Subscriber = { ready: false, received: 0, lastSeq: 0, outOfOrder: 0, lost: 0, resets: 0, stream: undefined as unknown as Stream }
    subscriber.stream = attach(subscriber, port, path, done, (stream, error) => {
      failed++
      firstError ??= error?.message ?? `closed before the first frame (HTTP ${stream.reader.status})`
      done()
    })
    subscribers.push(subscriber)
  })
  await withTimeout(work, timeoutMs)
  const ready = subscribers.filter(s => s.ready && !s.stream.socket.destroyed).length
  return { type: 'subscribed', ready, failed, seconds: (now() - started) / 1000, firstError }
}

// ---- the reconnect storm ---------------------------------------------------------------------------

/** From now on, a subscriber whose stream the server ends reconnects to `port` with its Last-Event-ID. */
function armReconnect(port: number, path: string): void {
  reconnectTarget = { port, path }
  reconnectQueue = []
  failedReconnects = 0
  firstReconnectError = undefined
  for (const subscriber of subscribers) subscriber.liveAgainAt = undefined
}

/** The storm of plain connects (the baseline's): `n` subscribers that come all at once, through the same queue. */
function stormConnect(port: number, path: string, n: number): void {
  armReconnect(port, path)
  for (let i = 0; i < n; i++) {
    const subscriber: Subscriber = { ready: false, received: 0, lastSeq: 0, outOfOrder: 0, lost: 0, resets: 0, stream: undefined as unknown as Stream }
    subscribers.push(subscriber)
    reconnectQueue.push(subscriber)
  }
  pumpReconnects()
}

/** Waits until every subscriber is live on the reconnect target (or the timeout). */
async function reconnected(since: number, timeoutMs: number): Promise<Reconnected> {
  const deadline = now() + timeoutMs
  const live = () => subscribers.filter(s => s.liveAgainAt !== undefined).length
  while (now() < deadline && live() < subscribers.length) await sleep(20)
  const times = subscribers.map(s => s.liveAgainAt).filter(t => t !== undefined)
  return {
    type: 'reconnected',
    subscribers: subscribers.length,
    live: times.length,
    firstSeconds: times.length ? (Math.min(...times) - since) / 1000 : Number.NaN,
    allSeconds: times.length ? (Math.max(...times) - since) / 1000 : Number.NaN,
    failedAttempts: failedReconnects,
    firstError: firstReconnectError,
  }
}

/** Waits until every subscriber got sequence number `lastSeq`; then counts what was lost or repeated. */
async function resumed(lastSeq: number, timeoutMs: number): Promise<Resumed> {
  const started = now()
  const deadline = started + timeoutMs
  while (now() < deadline && subscribers.some(s => s.lastSeq < lastSeq)) await sleep(20)
  let lost = 0
  for (const s of subscribers) lost += s.lost + Math.max(0, lastSeq - s.lastSeq)
  return {
    type: 'resumed',
    subscribers: subscribers.length,
    complete: subscribers.filter(s => s.lastSeq === lastSeq && s.lost === 0 && s.outOfOrder === 0 && s.resets === 0).length,
    lost,
    duplicated: subscribers.reduce((total, s) => total + s.outOfOrder, 0),
    resets: subscribers.reduce((total, s) => total + s.resets, 0),
    seconds: (now() - started) / 1000,
  }
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
  reconnectTarget = undefined
  reconnectQueue = []
  for (const subscriber of subscribers.splice(0)) subscriber.stream?.socket.destroy()
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

/** HS256 tokens for the token plan's users, minted with jose; index = user. */
async function mintTokens(plan: TokenPlan): Promise<string[]> {
  const key = new TextEncoder().encode(plan.secret)
  const tokens: string[] = []
  for (let user = 0; user < plan.users; user++) {
    tokens.push(await new SignJWT({ notify: { subscribe: [`user:bench-${user}`] } }).setProtectedHeader({ alg: 'HS256' }).setSubject(`bench-${user}`).setIssuedAt().setExpirationTime(`${plan.ttlSeconds}s`).sign(key))
  }
  return tokens
}

/**
 * Subscribe, wait for the retry frame, leave: even cycles with a clean FIN, odd ones with a RST.
 * With a token plan, `{user}` in the path is the cycle's user and its token goes in Authorization.
 */
async function churn(port: number, path: string, cycles: number, timeoutMs: number, plan?: TokenPlan): Promise<Churned> {
  const tokens = plan ? await mintTokens(plan) : []
  const started = now()
  let ok = 0
  let failed = 0
  let firstError: string | undefined
  const open = new Set<Socket>()
  const firstFrames: number[] = []
  await withTimeout(pool(cycles, 50, (index, done) => {
    let ready = false
    const opened = now()
    const user = index % Math.max(1, tokens.length)
    const headers = plan ? `Authorization: Bearer ${tokens[user]}\r\n` : ''
    const stream = openStream(port, path.replace('{user}', String(user)), (frame, at) => {
      if (ready || frame.retry === undefined) return
      ready = true
      firstFrames.push(at - opened)
      if (index % 2 === 0) stream.socket.end()
      else stream.socket.resetAndDestroy()
    }, (stream, error) => {
      open.delete(stream.socket)
      if (ready) ok++
      else {
        failed++
        firstError ??= error?.message ?? `closed before the first frame (HTTP ${stream.reader.status})`
      }
      done()
    }, headers)
    open.add(stream.socket)
  }), timeoutMs)
  for (const socket of open) socket.destroy()
  const seconds = (now() - started) / 1000
  firstFrames.sort((a, b) => a - b)
  const quantile = (q: number) => firstFrames[Math.min(firstFrames.length - 1, Math.floor(q * firstFrames.length))] ?? Number.NaN
  return { type: 'churned', cycles, ok, failed, seconds, perSecond: ok / seconds, firstFrameMs: { p50: quantile(0.5), p99: quantile(0.99) }, firstError }
}

// ---- IPC -------------------------------------------------------------------------------------------

async function handle(command: Command): Promise<Reply> {
  switch (command.type) {
    case 'subscribe': return subscribe(command.port, command.path, command.n, command.timeoutMs)
    case 'collect': return collect(command.messages, command.timeoutMs)
    case 'counting': return counting(command.port, command.path, command.n, command.timeoutMs)
    case 'churn': return churn(command.port, command.path, command.cycles, command.timeoutMs, command.tokens)
    case 'arm-reconnect':
      armReconnect(command.port, command.path)
      return { type: 'ok' }
    case 'storm-connect':
      stormConnect(command.port, command.path, command.n)
      return { type: 'ok' }
    case 'reconnected': return reconnected(command.since, command.timeoutMs)
    case 'resumed': return resumed(command.lastSeq, command.timeoutMs)
    case 'publish-load': return publishLoad(command.plan)
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
