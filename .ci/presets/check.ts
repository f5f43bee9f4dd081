/**
 * Builds the app for each deploy preset in turn, runs the build the way its platform runs it (all on
 * 127.0.0.1, runtimes from .ci/presets/node_modules only), and checks the SSE streams on it:
 *
 *   streams      the counting stream is read to `done`, frames arriving as pushed (spread in time)
 *   drop:count   a counting client leaves mid-stream; is the server-side timer stopped? (stats)
 *   drop:bcast   a broadcast subscriber leaves; is it removed? (stats)
 *   broadcast    publish -> a subscriber of the same instance gets it
 *   (cloudflare-durable, where the broadcast lives in a Durable Object, also: fan-out, topics,
 *   heartbeats, replay after a reconnect and after `wrangler dev` restarts, reset, slow consumer,
 *   publish errors)
 *   next         after the drops the server still serves a full stream; the process is alive and
 *                logged no unhandled rejection
 *
 * Prints one PASS/FAIL line per preset and check, and the timings; exits 1 on any failure.
 * Run from the repository root on Node 24:  npm ci --prefix .ci/presets && npm run test:presets
 * (or `node .ci/presets/check.ts bun deno-server` for some presets). Logs: .ci/presets/logs/.
 */
import type { ChildProcess } from 'node:child_process'
import { spawn, spawnSync } from 'node:child_process'
import type { WriteStream } from 'node:fs'
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { delimiter, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { EventSourceMessage } from 'eventsource-parser'
import { STREAM_EVENTS } from '../../composables/useEventStream/stream-events.ts'
import { openSse, type SseReader } from '../../tests/support/sse.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))
const logDir = join(here, 'logs')
const bin = (name: string) => join(here, 'node_modules/.bin', name)
const TOKEN = 'preset-check-token'
const HOST = '127.0.0.1'

interface Preset {
  name: string
  /** Whether this preset lets the app know that a client left (else: documented, not a failure). */
  detectsDisconnect: boolean
  /** Serverless: the app must warn at start-up that the broadcast needs NUXT_NOTIFY_REDIS_URL. */
  serverless?: true
  /** False where the broadcast stream can't run (Workers): then it must answer 501, cleanly. */
  broadcast?: false
  /** The broadcast keeps its history in storage that outlives the process: checked across a restart. */
  durable?: true
  /** Binaries from .ci/presets/node_modules/.bin this preset runs on (installed by `npm ci --prefix .ci/presets`). */
  runtimes?: string[]
  /** How the built output is run: the command, its cwd, and extra env. */
  run: (port: number, inspectorPort: number) => { cmd: string, args: string[], cwd: string, env?: Record<string, string> }
}

const node = process.execPath
// Node 24 (this process's) first on PATH: nuxt's and wrangler's `#!/usr/bin/env node` use it.
const PATH = [dirname(node), join(root, 'node_modules/.bin'), process.env.PATH].join(delimiter)
const appEnv = { NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN, NUXT_NOTIFY_DEMO_PUBLISHER: 'false' }
// cloudflare-durable: heartbeats short enough to count a few, a history small enough to outrun.
const HEARTBEAT_MS = 500
const HISTORY_SIZE = 20
const MAX_QUEUED_BYTES = 65_536
const durableEnv = {
  ...appEnv,
  NUXT_NOTIFY_HEARTBEAT_MS: String(HEARTBEAT_MS),
  NUXT_NOTIFY_HISTORY_SIZE: String(HISTORY_SIZE),
  NUXT_NOTIFY_MAX_QUEUED_BYTES: String(MAX_QUEUED_BYTES),
}
// Wrangler's local Durable Object storage: fresh per run, kept across the restart within it.
const durablePersistDir = join(root, '.cache/preset-check-durable')
const wranglerEnv = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', XDG_CONFIG_HOME: join(root, '.cache/wrangler-config') }

const PRESETS: Preset[] = [
  {
    name: 'node-server',
    detectsDisconnect: true,
    run: () => ({ cmd: node, args: ['.output/server/index.mjs'], cwd: root }),
  },
  {
    name: 'vercel',
    serverless: true,
    detectsDisconnect: true,
    run: () => ({ cmd: node, args: [join(here, 'hosts/vercel.mjs'), '.vercel/output/functions/__fallback.func/index.mjs'], cwd: root }),
  },
  {
    name: 'netlify',
    serverless: true,
    detectsDisconnect: true,
    run: () => ({ cmd: node, args: [join(here, 'hosts/netlify.mjs'), '.netlify/functions-internal/server/server.mjs'], cwd: root }),
  },
  {
    name: 'bun',
    detectsDisconnect: true,
    runtimes: ['bun'],
    run: () => ({ cmd: bin('bun'), args: ['.output/server/index.mjs'], cwd: root }),
  },
  {
    name: 'deno-server',
    detectsDisconnect: true,
    runtimes: ['deno'],
    run: () => ({
      cmd: bin('deno'),
      args: ['task', '--config', './deno.json', 'start'],
      cwd: join(root, '.output'),
      env: { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(root, '.cache/deno') },
    }),
  },
  {
    name: 'cloudflare-module',
    serverless: true,
    detectsDisconnect: true,
    broadcast: false,
    runtimes: ['wrangler'],
    run: (port, inspectorPort) => ({
      cmd: bin('wrangler'),
      // The build wrote .output/server/wrangler.json (nitro.cloudflare.deployConfig in nuxt.config.ts):
      // compatibility date and flags (nodejs_compat, enable_request_signal) come from it.
      args: [
        'dev', '--config', '.output/server/wrangler.json', '--port', String(port), '--ip', HOST,
        '--inspector-port', String(inspectorPort),
        ...Object.entries(appEnv).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      cwd: root,
      // No metrics, no fetch of the `Request.cf` sample from the internet: everything stays local.
      env: wranglerEnv,
    }),
  },
  {
    name: 'cloudflare-durable',
    detectsDisconnect: true,
    durable: true,
    runtimes: ['wrangler'],
    run: (port, inspectorPort) => ({
      cmd: bin('wrangler'),
      // The generated wrangler.json also has the Durable Object binding and its SQLite migration.
      args: [
        'dev', '--config', '.output/server/wrangler.json', '--port', String(port), '--ip', HOST,
        '--inspector-port', String(inspectorPort), '--persist-to', durablePersistDir,
        ...Object.entries(durableEnv).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      cwd: root,
      env: wranglerEnv,
    }),
  },
  {
    name: 'aws-lambda',
    serverless: true,
    // Lambda response streaming gives the handler no sign that the client left.
    detectsDisconnect: false,
    run: () => ({ cmd: node, args: [join(here, 'hosts/aws-lambda.mjs'), '.output/server/index.mjs'], cwd: root }),
  },
]

interface Check { name: string, ok: boolean, detail: string }
interface Result { preset: string, buildMs: number, startMs: number, checkMs: number, checks: Check[], error?: string }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function runToEnd(cmd: string, args: string[], env: Record<string, string>, logFile: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (out += d))
    // A missing binary (ENOENT) is an 'error' and a 'close' with no code: the log says which.
    child.on('error', error => (out += `\n${cmd} could not be started: ${error.message}\n`))
    child.on('close', (code) => {
      writeFileSync(logFile, out)
      resolve(code ?? 1)
    })
  })
}

class Server {
  private log = ''
  private readonly file: WriteStream
  private exited: number | null | undefined
  private readonly child: ChildProcess
  constructor(child: ChildProcess, logFile: string) {
    this.child = child
    this.file = createWriteStream(logFile)
    const collect = (d: Buffer) => {
      this.log += d
      this.file.write(d)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    child.on('exit', code => (this.exited = code))
    child.on('error', (error) => {
      collect(Buffer.from(`could not be started: ${error.message}\n`))
      this.exited = null
    })
  }

  get output() {
    return this.log
  }

  get alive() {
    return this.exited === undefined
  }

  async stop() {
    if (this.alive && this.child.pid) {
      try {
        process.kill(-this.child.pid, 'SIGTERM') // its own process group: wrangler's workerd, deno task's deno
      }
      catch { /* gone */ }
      for (let i = 0; i < 50 && this.alive; i++) await sleep(100)
      if (this.alive) process.kill(-this.child.pid, 'SIGKILL')
    }
    this.file.end()
  }
}

/** One event as the tests' SSE parser read it, with when it arrived (ms after the request). */
type Frame = EventSourceMessage & { at: number }

/**
 * Reads an SSE response with the tests' parser (tests/support/sse.ts); stops after `until` returns
 * true (then aborts the request), when the server ends it, or after `timeoutMs`. `heartbeats`: when
 * each comment (`:`) arrived, ms after the request.
 */
async function readSse(url: string, until: (frames: Frame[], sse: SseReader) => boolean, timeoutMs = 15_000, headers: Record<string, string> = {}) {
  const started = Date.now()
  const framesOf = (sse: SseReader) => sse.events.map((event, i) => ({ ...event, at: sse.eventTimes[i]! }))
  const sse = await openSse(url, headers, AbortSignal.timeout(timeoutMs))
  // Each way it stops is an answer: the heartbeat check reads until the deadline on purpose.
  await sse.until(reader => until(framesOf(reader), reader), timeoutMs).catch(() => {})
  sse.close()
  return { status: sse.response.status, frames: framesOf(sse), retries: sse.retries, heartbeats: sse.commentTimes, ms: Date.now() - started }
}

/** The stats; with the publish (admin) token they count subscribers per topic too. */
async function stats(base: string) {
  const response = await fetch(`${base}/api/notify/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })
  return (await response.json()) as { connections: { byRoute: Record<string, number>, byTopic?: Record<string, number> } }
}

/** Polls stats until `route` has no open stream; returns ms waited, or undefined after `maxMs`. */
async function waitForRelease(base: string, route: string, maxMs: number) {
  const started = Date.now()
  while (Date.now() - started < maxMs) {
    if (!(await stats(base)).connections.byRoute[route]) return Date.now() - started
    await sleep(50)
  }
  return undefined
}

/** The running build; `restart` stops it and starts it again on the same port (the durable checks). */
interface Host {
  readonly server: Server
  /** What every run of it logged. */
  readonly output: string
  restart(): Promise<void>
}

async function runChecks(preset: Preset, base: string, host: Host): Promise<Check[]> {
  const checks: Check[] = []
  const check = async (name: string, body: () => Promise<{ ok: boolean, detail: string }>) => {
    try {
      checks.push({ name, ...(await body()) })
    }
    catch (error) {
      checks.push({ name, ok: false, detail: `threw: ${(error as Error).message}; process alive=${host.server.alive}` })
    }
  }

  // 1. Frames as pushed: 8 messages 250 ms apart, then done. All at the end would be a spread of ~0.
  await check('streams', async () => {
    const count = 8
    const interval = 250
    const { status, frames, ms } = await readSse(`${base}/api/notify/stream?count=${count}&interval=${interval}`, f => f.some(x => x.event === STREAM_EVENTS.done))
    const messages = frames.filter(f => f.id)
    const done = frames.some(f => f.event === STREAM_EVENTS.done)
    const spread = messages.length ? messages.at(-1)!.at - messages[0]!.at : 0
    const ok = status === 200 && done && messages.length === count && spread >= 0.7 * (count - 1) * interval && messages[0]!.at < 1500
    const times = messages.map(m => m.at).join(',')
    return { ok, detail: `${messages.length}/${count} + done=${done} in ${ms} ms; arrivals ms [${times}], spread ${spread} ms (as pushed: ${spread >= 0.7 * (count - 1) * interval})` }
  })

  // 2. A counting client leaves after 3 of 40 frames (100 ms apart): is its timer stopped?
  await check('drop:count', async () => {
    const { frames } = await readSse(`${base}/api/notify/stream?count=40&interval=100`, f => f.filter(x => x.id).length >= 3)
    const left = Date.now()
    const releasedIn = await waitForRelease(base, 'counting', preset.detectsDisconnect ? 2000 : 6000)
    const detected = releasedIn !== undefined && releasedIn < 2000
    const detail = releasedIn === undefined
      ? `read ${frames.length} frames, left; stream still open ${Date.now() - left} ms later`
      : `read ${frames.length} frames, left; stream released ${releasedIn} ms later${detected ? '' : ' (ran to its end: not detected)'}`
    return { ok: detected === preset.detectsDisconnect, detail }
  })

  if (preset.broadcast === false) {
    await check('broadcast', async () => {
      const refused = await fetch(`${base}/api/notify/events?topic=presetcheck`)
      const message = ((await refused.json()) as { message?: string }).message
      const published = await fetch(`${base}/api/notify/publish`, {
        method: 'POST',
        headers: { 'authorization': `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'presetcheck', data: { preset: preset.name } }),
      })
      return { ok: refused.status === 501 && published.status === 200, detail: `not supported here: events ${refused.status} "${message}"; publish ${published.status}` }
    })
  }
  else {
    await broadcastChecks(preset, base, check)
    if (preset.durable) await durableChecks(base, check, host)
  }

  // 5. The start-up warning: on serverless presets (only), the in-memory bus doesn't span instances.
  await check('redis-warn', async () => {
    const warned = host.output.includes('is serverless but NUXT_NOTIFY_REDIS_URL is not set')
    return { ok: warned === !!preset.serverless, detail: `start-up warning about Redis: ${warned ? 'logged' : 'none'} (expected ${preset.serverless ? 'logged' : 'none'})` }
  })

  // 6. After all the drops: another full stream, the process alive, no unhandled rejection logged.
  await check('next', async () => {
    const { frames } = await readSse(`${base}/api/notify/stream?count=3&interval=50`, f => f.some(x => x.event === STREAM_EVENTS.done))
    const done = frames.some(f => f.event === STREAM_EVENTS.done)
    // workerd logs every response body that ends in an error as "Uncaught": the slow-consumer
    // cut-off (cloudflare-durable's `slow` check) errors one on purpose, to drop what is queued for it.
    const unhandled = host.output.split('\n').some(line => /unhandled ?rejection|uncaught/i.test(line) && !line.includes('subscriber too slow'))
    return { ok: done && host.server.alive && !unhandled, detail: `next stream done=${done}, process alive=${host.server.alive}, unhandled rejection logged=${unhandled}` }
  })
  return checks
}

type CheckFn = (name: string, body: () => Promise<{ ok: boolean, detail: string }>) => Promise<void>

async function broadcastChecks(preset: Preset, base: string, check: CheckFn) {
  // 3. A broadcast subscriber leaves: is it removed from the hub?
  await check('drop:bcast', async () => {
    const { retries } = await readSse(`${base}/api/notify/events?topic=presetcheck`, (_, sse) => sse.retries.length > 0)
    const releasedIn = await waitForRelease(base, 'broadcast', 2000)
    const detected = releasedIn !== undefined
    return { ok: detected === preset.detectsDisconnect, detail: `got ${retries.length} retry hint, left; ${detected ? `subscriber removed ${releasedIn} ms later` : 'subscriber still registered after 2000 ms: not detected'}` }
  })

  // 4. Publish reaches a subscriber of the same instance.
  await check('broadcast', async () => {
    const reading = readSse(`${base}/api/notify/events?topic=presetcheck`, f => f.some(x => x.event === 'message'), 8000)
    reading.catch(() => {}) // awaited below
    await sleep(500)
    const published = await fetch(`${base}/api/notify/publish`, {
      method: 'POST',
      headers: { 'authorization': `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'presetcheck', data: { preset: preset.name } }),
    })
    const answer = await published.text()
    const { frames } = await reading
    const got = frames.find(f => f.event === 'message')
    const ok = published.status === 200 && !!got && JSON.parse(got.data!).data.preset === preset.name
    return { ok, detail: `publish ${published.status} ${answer}; subscriber got ${got ? `id ${got.id}` : 'nothing'}` }
  })
}

function publish(base: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
  return fetch(`${base}/api/notify/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

/** Publishes `{ n }` to `topic`; returns the event id (throws on anything but 200). */
async function publishN(base: string, topic: string, n: number): Promise<string> {
  const response = await publish(base, { topic, data: { n } })
  if (response.status !== 200) throw new Error(`publish to ${topic} answered ${response.status}: ${await response.text()}`)
  return ((await response.json()) as { id: string }).id
}

const messagesOf = (frames: Frame[]) => frames.filter(f => f.event === 'message')
const ns = (frames: Frame[]) => messagesOf(frames).map(f => (JSON.parse(f.data!) as { data: { n: number } }).data.n)

/** Polls stats until every topic has (at least) the given number of subscribers; false after `maxMs`. */
async function waitForSubscribers(base: string, want: Record<string, number>, maxMs = 5000) {
  const started = Date.now()
  while (Date.now() - started < maxMs) {
    const byTopic = (await stats(base)).connections.byTopic ?? {}
    if (Object.entries(want).every(([topic, n]) => (byTopic[topic] ?? 0) >= n)) return true
    await sleep(50)
  }
  return false
}

/**
 * cloudflare-durable: the broadcast runs in one Durable Object with its history in the object's
 * SQLite storage. Everything the Node bus promises is checked here, in workerd, and the replay
 * across a restart of `wrangler dev` (the object's storage kept in --persist-to).
 */
async function durableChecks(base: string, check: CheckFn, host: Host) {
  // Fan-out and topic filtering: 3 subscribers of `fan`, one of `other`, one of both.
  await check('fan-out', async () => {
    const startedAt = Date.now()
    const fans = [1, 2, 3].map(() => readSse(`${base}/api/notify/events?topic=fan`, f => messagesOf(f).length >= 2, 10_000))
    const other = readSse(`${base}/api/notify/events?topic=other`, f => messagesOf(f).length >= 1, 10_000)
    const both = readSse(`${base}/api/notify/events?topic=fan&topic=other`, f => messagesOf(f).length >= 3, 10_000)
    for (const reading of [...fans, other, both]) reading.catch(() => {}) // awaited below
    if (!(await waitForSubscribers(base, { fan: 4, other: 2 }))) throw new Error('subscribers not registered within 5 s')
    const publishedAt = Date.now() - startedAt
    await publishN(base, 'fan', 1)
    await publishN(base, 'other', 2)
    await publishN(base, 'fan', 3)
    const fanResults = await Promise.all(fans)
    const got = fanResults.map(r => ns(r.frames).join(','))
    const ids = new Set(fanResults.map(r => messagesOf(r.frames)[0]?.id))
    const latency = fanResults.map(r => (messagesOf(r.frames)[0]?.at ?? Number.NaN) - publishedAt)
    const okFan = got.every(g => g === '1,3') && ids.size === 1
    const otherGot = ns((await other).frames).join(',')
    const bothGot = ns((await both).frames).join(',')
    const ok = okFan && otherGot === '2' && bothGot === '1,2,3'
    return { ok, detail: `3 subscribers of fan got [${got.join('] [')}] (one id: ${ids.size === 1}; the slowest had it ${Math.max(...latency)} ms after the first publish was sent); other got [${otherGot}], fan+other got [${bothGot}]` }
  })

  await check('released', async () => {
    const releasedIn = await waitForRelease(base, 'broadcast', 3000)
    return { ok: releasedIn !== undefined, detail: releasedIn === undefined ? 'broadcast streams still open 3000 ms after their 5 clients left' : `all 5 fan-out streams released ${releasedIn} ms after their clients left` }
  })

  await check('heartbeat', async () => {
    const readMs = 6 * HEARTBEAT_MS + 200
    const { heartbeats } = await readSse(`${base}/api/notify/events?topic=quiet`, () => false, readMs)
    const gaps = heartbeats.slice(1).map((at, i) => at - heartbeats[i]!)
    const ok = heartbeats.length >= 5 && gaps.every(gap => gap >= 0.5 * HEARTBEAT_MS && gap <= 1.5 * HEARTBEAT_MS)
    return { ok, detail: `${heartbeats.length} heartbeats in ${readMs} ms (NUXT_NOTIFY_HEARTBEAT_MS=${HEARTBEAT_MS}), at ms [${heartbeats.join(',')}], gaps [${gaps.join(',')}]` }
  })

  // A client leaves after event 1; 2 and 3 (and one of another topic) are published; it comes back.
  await check('replay', async () => {
    const first = readSse(`${base}/api/notify/events?topic=rp`, f => messagesOf(f).length >= 1, 8000)
    first.catch(() => {})
    if (!(await waitForSubscribers(base, { rp: 1 }))) throw new Error('subscriber not registered within 5 s')
    await publishN(base, 'rp', 1)
    const seen = messagesOf((await first).frames)[0]?.id
    if (!seen) throw new Error('the first subscriber got no event')
    await publishN(base, 'rp', 2)
    await publishN(base, 'rp-other', 99)
    await publishN(base, 'rp', 3)
    const again = readSse(`${base}/api/notify/events?topic=rp`, f => messagesOf(f).length >= 3, 8000, { 'last-event-id': seen })
    again.catch(() => {})
    await sleep(500)
    await publishN(base, 'rp', 4)
    const got = ns((await again).frames).join(',')
    return { ok: got === '2,3,4', detail: `left after ${seen}; back with Last-Event-ID: got [${got}] (want 2,3,4: the missed ones in order, then live)` }
  })

  // The same after the runtime restarts: `wrangler dev` stopped and started on the same storage.
  await check('restart', async () => {
    const first = readSse(`${base}/api/notify/events?topic=rs`, f => messagesOf(f).length >= 1, 8000)
    first.catch(() => {})
    if (!(await waitForSubscribers(base, { rs: 1 }))) throw new Error('subscriber not registered within 5 s')
    await publishN(base, 'rs', 1)
    const seen = messagesOf((await first).frames)[0]?.id
    if (!seen) throw new Error('the first subscriber got no event')
    const before = await publishN(base, 'rs', 2)
    const uptimeBefore = ((await (await fetch(`${base}/api/notify/stats`)).json()) as { uptimeSeconds: number }).uptimeSeconds
    const stopped = Date.now()
    await host.restart()
    const restartMs = Date.now() - stopped
    const uptimeAfter = ((await (await fetch(`${base}/api/notify/stats`)).json()) as { uptimeSeconds: number }).uptimeSeconds
    const after = await publishN(base, 'rs', 3)
    const again = await readSse(`${base}/api/notify/events?topic=rs`, f => messagesOf(f).length >= 2 || f.some(x => x.event === STREAM_EVENTS.reset), 8000, { 'last-event-id': seen })
    const got = ns(again.frames).join(',')
    const ok = got === '2,3' && !again.frames.some(f => f.event === STREAM_EVENTS.reset) && uptimeAfter < uptimeBefore
    return { ok, detail: `left after ${seen}; 2 published (${before}), restarted in ${restartMs} ms (object uptime ${uptimeBefore} s, then ${uptimeAfter} s), 3 published (${after}); back with Last-Event-ID: got [${got}] (want 2,3)` }
  })

  // Further back than the history (HISTORY_SIZE events): a reset with the newest id, from which it resumes.
  await check('reset', async () => {
    const seen = await publishN(base, 'old', 0)
    for (let n = 1; n <= HISTORY_SIZE + 2; n++) await publishN(base, 'old', n)
    const expired = await readSse(`${base}/api/notify/events?topic=old`, f => f.some(x => x.event === STREAM_EVENTS.reset), 5000, { 'last-event-id': seen })
    const reset = expired.frames.find(f => f.event === STREAM_EVENTS.reset)
    const reason = reset ? (JSON.parse(reset.data!) as { reason: string }).reason : undefined
    const unknown = await readSse(`${base}/api/notify/events?topic=old`, f => f.some(x => x.event === STREAM_EVENTS.reset), 5000, { 'last-event-id': '99999999999999-1' })
    const unknownReason = (JSON.parse(unknown.frames.find(f => f.event === STREAM_EVENTS.reset)?.data ?? '{}') as { reason?: string }).reason
    const ok = reason === 'history-expired' && !!reset?.id && unknownReason === 'unknown-id'
    return { ok, detail: `id ${seen}, ${HISTORY_SIZE + 2} events later (history ${HISTORY_SIZE}): reset ${reason ?? 'none'} with id ${reset?.id}; a future id: reset ${unknownReason ?? 'none'}` }
  })

  // A subscriber that stops reading is cut off once the object's own queue passes MAX_QUEUED_BYTES.
  // What the runtime buffers between the object and the client comes first (workerd's pipes and
  // loopback sockets here): measured and reported, bounded at 20 MB by this check.
  await check('slow', async () => {
    const socket = connect(Number(new URL(base).port), HOST)
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
    let ended = false
    socket.on('close', () => (ended = true)).on('error', () => {})
    socket.write(`GET /api/notify/events?topic=slow HTTP/1.1\r\nHost: ${HOST}\r\nAccept: text/event-stream\r\n\r\n`)
    socket.pause() // never reads: what the server sends piles up
    if (!(await waitForSubscribers(base, { slow: 1 }))) throw new Error('subscriber not registered within 5 s')
    const chunk = 'x'.repeat(50_000)
    let sent = 0
    let cut = false
    while (!cut && sent < 400) {
      for (let i = 0; i < 10; i++, sent++) await publish(base, { topic: 'slow', data: chunk }).then(r => r.text())
      const { byTopic } = (await stats(base)).connections
      if (!byTopic) throw new Error('/api/notify/stats gave no byTopic with the admin token')
      cut = !byTopic.slow
    }
    let read = 0
    socket.on('data', (d: Buffer) => (read += d.length)).resume()
    const deadline = Date.now() + 10_000
    while (!ended && Date.now() < deadline) await sleep(100)
    socket.destroy()
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
    return { ok: cut && ended, detail: `a client that never reads: ${cut ? `cut off after ${sent} events of 50 KB (${mb(sent * 50_000)})` : `still subscribed after ${mb(sent * 50_000)}`}; it then read ${mb(read)} and its stream ${ended ? 'ended' : 'did not end within 10 s'} (NUXT_NOTIFY_MAX_QUEUED_BYTES=${MAX_QUEUED_BYTES} in the object; the rest was buffered by the runtime)` }
  })

  // The access rules run inside the object on the forwarded request: a private topic (`user:*` by
  // default) without credentials is refused there as on Node.
  await check('private', async () => {
    const refused = await fetch(`${base}/api/notify/events?topic=user:alice`)
    const body = (await refused.json().catch(() => ({}))) as { statusCode?: number }
    const challenge = refused.headers.get('www-authenticate') ?? ''
    return { ok: refused.status === 401 && body.statusCode === 401 && challenge.startsWith('Bearer'), detail: `events?topic=user:alice without a token: ${refused.status}, WWW-Authenticate "${challenge}"` }
  })

  // Publish errors come from the object as on Node: status, JSON body, a message that says what.
  await check('publish-errors', async () => {
    const cases: Array<[string, number, () => Promise<Response>]> = [
      ['no token', 401, () => publish(base, { data: 1 }, {})],
      ['wrong token', 401, () => publish(base, { data: 1 }, { authorization: 'Bearer nope' })],
      ['bad JSON', 400, () => publish(base, '{"data":')],
      ['no data', 400, () => publish(base, { topic: 'x' })],
      ['70 KB body', 413, () => publish(base, { data: 'x'.repeat(70_000) })],
    ]
    const seen: string[] = []
    let ok = true
    for (const [what, want, send] of cases) {
      const response = await send()
      const body = (await response.json().catch(() => ({}))) as { statusCode?: number, message?: string, stack?: unknown }
      const good = response.status === want && body.statusCode === want && typeof body.message === 'string' && body.stack === undefined
        && (want !== 401 || !!response.headers.get('www-authenticate')?.startsWith('Bearer'))
      ok &&= good
      seen.push(`${what} ${response.status}${good ? '' : ` (want ${want}: ${JSON.stringify(body)})`}`)
    }
    return { ok, detail: seen.join(', ') }
  })
}

async function runPreset(preset: Preset): Promise<Result> {
  const result: Result = { preset: preset.name, buildMs: 0, startMs: 0, checkMs: 0, checks: [] }
  // Each build writes .output (and .vercel / .netlify): start from none, so nothing stale is run.
  for (const dir of ['.output', '.vercel/output', '.netlify/functions-internal', '.wrangler/deploy']) rmSync(join(root, dir), { recursive: true, force: true })
  let t = Date.now()
  const code = await runToEnd(join(root, 'node_modules/.bin/nuxt'), ['build', '--preset', preset.name], { NODE_ENV: 'production' }, join(logDir, `${preset.name}-build.log`))
  result.buildMs = Date.now() - t
  if (code !== 0) return { ...result, error: `build failed (exit ${code}), see logs/${preset.name}-build.log` }

  if (preset.durable) rmSync(durablePersistDir, { recursive: true, force: true })
  const port = await freePort()
  const inspectorPort = await freePort()
  const base = `http://${HOST}:${port}`
  let runs = 0
  /** Starts the build on `port` and waits for /api/health; a second run (restart) logs to its own file. */
  const launch = async (): Promise<{ server: Server, error?: string }> => {
    const { cmd, args, cwd, env } = preset.run(port, inspectorPort)
    const log = `${preset.name}-run${++runs > 1 ? `-${runs}` : ''}.log`
    const child = spawn(cmd, args, {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH, ...appEnv, ...env, PORT: String(port), NITRO_PORT: String(port), HOST, NITRO_HOST: HOST },
    })
    const server = new Server(child, join(logDir, log))
    const launched = Date.now()
    for (;;) {
      if (!server.alive) return { server, error: `exited before it was ready: ${server.output.trim().split('\n').slice(-3).join(' | ')} (logs/${log})` }
      if (Date.now() - launched > 90_000) return { server, error: 'not ready within 90 s' }
      try {
        if ((await fetch(`${base}/api/health`)).status === 200) return { server }
      }
      catch { /* not listening yet */ }
      await sleep(200)
    }
  }
  t = Date.now()
  let { server, error } = await launch()
  try {
    if (error) return { ...result, error }
    result.startMs = Date.now() - t
    t = Date.now()
    let earlierOutput = ''
    const host: Host = {
      get server() {
        return server
      },
      get output() {
        return earlierOutput + server.output
      },
      async restart() {
        await server.stop()
        earlierOutput += server.output
        ;({ server, error } = await launch())
        if (error) throw new Error(`restart: ${error}`)
      },
    }
    result.checks = await runChecks(preset, base, host)
    result.checkMs = Date.now() - t
    return result
  }
  finally {
    await server.stop()
  }
}

const INSTALL_TIMEOUT_MS = 10 * 60_000

/**
 * The runtimes come from .ci/presets' own lockfile. Where they are not installed yet, install them
 * (one line, npm's output in logs/), or stop at once with the command, instead of failing per preset.
 */
function provideRuntimes(presets: Preset[]) {
  const missing = [...new Set(presets.flatMap(p => p.runtimes ?? []))].filter(name => !existsSync(bin(name)))
  if (!missing.length) return
  console.log(`presets check: installing the runtimes (${missing.join(', ')}) with npm ci --prefix .ci/presets`)
  const npm = spawnSync('npm', ['ci', '--prefix', here, '--no-audit', '--no-fund'], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, PATH } })
  writeFileSync(join(logDir, 'npm-ci.log'), `${npm.stdout ?? ''}${npm.stderr ?? ''}`)
  const still = missing.filter(name => !existsSync(bin(name)))
  if (npm.error || npm.status !== 0 || still.length) {
    const why = npm.error?.message ?? (npm.status !== 0 ? `npm ci exited ${npm.status} (see .ci/presets/logs/npm-ci.log)` : `still missing: ${still.join(', ')}`)
    throw new Error(`The preset runtimes could not be installed: ${why}. Run: npm ci --prefix .ci/presets`)
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

async function main() {
  const wanted = process.argv.slice(2)
  const presets = wanted.length ? PRESETS.filter(p => wanted.includes(p.name)) : PRESETS
  if (wanted.length && presets.length !== wanted.length) throw new Error(`unknown preset in ${wanted.join(', ')}; known: ${PRESETS.map(p => p.name).join(', ')}`)
  mkdirSync(logDir, { recursive: true })
  provideRuntimes(presets)
  const started = Date.now()
  const results: Result[] = []
  for (const preset of presets) {
    console.log(`\n== ${preset.name}`)
    const result = await runPreset(preset)
    results.push(result)
    for (const c of result.checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.name.padEnd(11)} ${c.detail}`)
    if (result.error) console.log(`  FAIL ${result.error}`)
    console.log(`  build ${seconds(result.buildMs)}, start ${seconds(result.startMs)}, checks ${seconds(result.checkMs)}`)
  }
  // The last build stays in .output; `npm run build` gives back the node-server one.

  console.log('\nSummary')
  let failed = 0
  for (const r of results) {
    const ok = !r.error && r.checks.length > 0 && r.checks.every(c => c.ok)
    if (!ok) failed++
    const marks = r.checks.map(c => `${c.name}:${c.ok ? 'ok' : 'FAIL'}`).join(' ')
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${r.preset.padEnd(18)} build ${seconds(r.buildMs).padStart(7)}  start ${seconds(r.startMs).padStart(6)}  checks ${seconds(r.checkMs).padStart(6)}  ${r.error ?? marks}`)
  }
  console.log(`${results.length - failed} of ${results.length} presets passed${failed ? ` (${failed} failed)` : ''}`)
  console.log(`total ${seconds(Date.now() - started)}`)
  process.exitCode = failed ? 1 : 0
}

await main()
