/**
 * `npm run bench [-- --sizes 1000,5000,10000 --repeat 3 --messages 20 --streams 1000 --churn 3000 --cpu-prof]`
 *
 * Compares the production Nuxt server (.output) with a bare node:http server (baseline-server.ts) in
 * one run: broadcast fan-out to N subscribers, N counting streams, connection churn. Every measurement
 * gets a freshly started server, so no scenario inherits another's heap, and the two targets run back
 * to back per scenario and repeat, so a burst of foreign load tends to hit both. The load runs in a
 * forked process (load-client.ts). Prints medians over the repeats; writes bench/results/latest.json.
 */
import type { ChildProcess } from 'node:child_process'
import type { Command, Reply } from './load-client.ts'
import { execFileSync, fork, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { stripTypeScriptTypes } from 'node:module'
import { createServer } from 'node:net'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Profile } from './profile-summary.ts'
import { formatSummary, summarize } from './profile-summary.ts'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const ROOT = dirname(BENCH_DIR)
const RESULTS_DIR = join(BENCH_DIR, 'results')
const PROFILE_DIR = join(RESULTS_DIR, 'profiles')
const TOKEN = 'bench-token-0123456789'
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
const MB = 1024 * 1024

const { values: options } = parseArgs({
  options: {
    'sizes': { type: 'string', default: '1000,5000,10000' },
    'repeat': { type: 'string', default: '3' },
    'messages': { type: 'string', default: '20' },
    'publish-interval': { type: 'string', default: '250' },
    'streams': { type: 'string', default: '1000' },
    'churn': { type: 'string', default: '3000' },
    'targets': { type: 'string', default: 'baseline,nuxt' },
    'scenarios': { type: 'string', default: 'broadcast,counting,churn' },
    'cpu-prof': { type: 'boolean', default: false },
    'heap-prof': { type: 'boolean', default: false },
    // Extra node flags for both servers, e.g. --node-flags=--max-semi-space-size=16 (space-separated).
    'node-flags': { type: 'string', default: '' },
    'timeout-minutes': { type: 'string', default: '30' },
  },
})
type TargetName = 'baseline' | 'nuxt'
const REPEAT = Math.max(1, Number(options.repeat))
const MESSAGES = Number(options.messages)
const PUBLISH_INTERVAL_MS = Number(options['publish-interval'])
const STREAMS = Number(options.streams)
const CHURN_CYCLES = Number(options.churn)
const TARGETS = options.targets.split(',') as TargetName[]
const SCENARIOS = new Set(options.scenarios.split(','))
const CPU_PROF = options['cpu-prof']
const HEAP_PROF = options['heap-prof']
const WARM_UP_PUBLISHES = 5
const COUNT = 50
const COUNT_INTERVAL_MS = 20

// ---- process bookkeeping: whatever happens, no child outlives the run --------------------------------

const children = new Set<ChildProcess>()
let tempDir: string | undefined
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL')
  if (tempDir) rmSync(tempDir, { recursive: true, force: true })
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130))
setTimeout(() => {
  console.error(`\nbench: overall timeout (${options['timeout-minutes']} min) reached, stopping.`)
  process.exit(2)
}, Number(options['timeout-minutes']) * 60_000).unref()

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)))
/** Wall clock with sub-ms resolution; the load client times deliveries with the same one. */
const now = () => performance.timeOrigin + performance.now()

// ---- /proc -------------------------------------------------------------------------------------------

function rssBytes(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count the fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
}

/** CPU seconds all processes have used so far (the non-idle columns of /proc/stat's first line). */
function machineBusySeconds(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLK_TCK
}

function openFilesLimit(): number {
  const limit = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
  return limit === 'unlimited' ? Number.POSITIVE_INFINITY : Number(limit)
}

/** Samples a process's RSS every 50 ms; `stop` returns the peak. */
function rssSampler(pid: number): { stop: () => number } {
  let peak = rssBytes(pid)
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid))
  }, 50)
  return {
    stop() {
      clearInterval(timer)
      return Math.max(peak, rssBytes(pid))
    },
  }
}

/** Write-class syscalls (write, writev, ...) and bytes a process has written so far, from /proc/<pid>/io. */
function writes(pid: number): { syscalls: number, bytes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  return { syscalls: Number(/^syscw: (\d+)/m.exec(io)?.[1]), bytes: Number(/^wchar: (\d+)/m.exec(io)?.[1]) }
}

interface Usage { server: number, client: number, other: number, writeSyscalls: number, writtenMB: number }

/**
 * What a phase cost: CPU of the server, of the load client, and of everything else on the machine
 * (machine busy time minus server, client and this process: the noise indicator), plus the server's
 * write syscalls and bytes (how many socket writes it takes to send the same frames).
 */
function meter(server: number, client: number): () => Usage {
  const read = () => ({ server: cpuSeconds(server), client: cpuSeconds(client), self: process.cpuUsage(), machine: machineBusySeconds(), io: writes(server) })
  const start = read()
  return () => {
    const end = read()
    const serverCpu = end.server - start.server
    const clientCpu = end.client - start.client
    const usage = process.cpuUsage(start.self)
    const self = (usage.user + usage.system) / 1e6
    return {
      server: serverCpu,
      client: clientCpu,
      other: Math.max(0, end.machine - start.machine - serverCpu - clientCpu - self),
      writeSyscalls: end.io.syscalls - start.io.syscalls,
      writtenMB: (end.io.bytes - start.io.bytes) / MB,
    }
  }
}

// ---- the server's inspector --------------------------------------------------------------------------

/**
 * A minimal DevTools-protocol session on the server's `--inspect` port. It forces a full GC before
 * memory is read (otherwise "held RSS" depends on whether V8 happened to collect the garbage of
 * 10k connects yet: we saw Nuxt's drop by 100 MB some 12 s after connecting), reads the live heap,
 * and with --cpu-prof profiles exactly one phase. Neither server is changed for it.
 */
interface Inspector {
  send: <T = unknown>(method: string, params?: object) => Promise<T>
  close: () => void
}

function openInspector(url: string): Promise<Inspector> {
  const socket = new WebSocket(url)
  const pending = new Map<number, { resolve: (value: never) => void, reject: (error: Error) => void }>()
  let nextId = 1
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number, result?: unknown, error?: { message: string } }
    const waiter = message.id === undefined ? undefined : pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id!)
    if (message.error) waiter.reject(new Error(message.error.message))
    else waiter.resolve(message.result as never)
  })
  const send = <T>(method: string, params: object = {}) => new Promise<T>((resolve, reject) => {
    const id = nextId++
    pending.set(id, { resolve, reject })
    socket.send(JSON.stringify({ id, method, params }))
  })
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve({ send, close: () => socket.close() }))
    socket.addEventListener('error', () => reject(new Error(`inspector: cannot connect to ${url}`)))
  })
}

// ---- servers -----------------------------------------------------------------------------------------

interface Server { name: TargetName, child: ChildProcess, pid: number, port: number, output: string[], inspector: Inspector }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    }).on('error', reject)
  })
}

/** The date in .output/nitro.json: written last by a build, removed first by the next one. */
function buildDate(dir: string): string | undefined {
  const file = join(dir, 'nitro.json')
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { date: string }).date
  }
  catch {
    return undefined
  }
}

/**
 * Both servers run from a temp dir. The Nuxt build is copied there, since others rebuild .output
 * (npm test does) while we run: we wait for a finished build, and retry when it changed while we
 * copied. The baseline is stripped of its types there: run as .ts, Node would load its type
 * stripper into the server (~17 MB of RSS the baseline doesn't need).
 */
async function prepareServers(): Promise<{ entries: Record<TargetName, string>, builtAt?: string }> {
  tempDir = mkdtempSync(join(tmpdir(), 'nuxt-sse-bench-'))
  const baseline = join(tempDir, 'baseline-server.mjs')
  writeFileSync(baseline, stripTypeScriptTypes(readFileSync(join(BENCH_DIR, 'baseline-server.ts'), 'utf8')))
  const nuxt = join(tempDir, '.output/server/index.mjs')
  if (!TARGETS.includes('nuxt')) return { entries: { nuxt, baseline } }
  const output = join(ROOT, '.output')
  for (let attempt = 0; attempt < 60; attempt++) {
    const before = buildDate(output)
    if (before) {
      rmSync(join(tempDir, '.output'), { recursive: true, force: true })
      cpSync(output, join(tempDir, '.output'), { recursive: true })
      if (buildDate(output) === before && buildDate(join(tempDir, '.output')) === before && existsSync(nuxt)) return { entries: { nuxt, baseline }, builtAt: before }
    }
    if (attempt === 0) console.error('bench: waiting for a finished build in .output (`npm run build`)...')
    await sleep(2000)
  }
  throw new Error('No finished build in .output/ after 2 minutes: run `npm run build` first.')
}

let entries: Record<TargetName, string> | undefined

async function startServer(name: TargetName): Promise<Server> {
  const port = await freePort()
  const flags = options['node-flags'].split(' ').filter(Boolean)
  const child = spawn(process.execPath, [...flags, '--inspect=127.0.0.1:0', entries![name]], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
      NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
      NUXT_NOTIFY_HEARTBEAT_MS: '600000',
      // All load comes from one address, standing in for N clients: no per-IP or total stream cap.
      NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0',
      NUXT_NOTIFY_MAX_STREAMS: '0',
      // The in-memory bus, whatever the calling shell has set.
      NUXT_NOTIFY_REDIS_URL: '',
    },
  })
  children.add(child)
  const output: string[] = []
  let inspectorUrl: string | undefined
  const keep = (chunk: Buffer) => {
    const text = chunk.toString()
    inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(text)?.[1]
    output.push(...text.split('\n').filter(Boolean))
    output.splice(0, output.length - 40)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && child.exitCode === null) {
    const answer = await http(port, 'GET', '/api/notify/stats').catch(() => undefined)
    if (answer?.status === 200 && inspectorUrl) {
      return { name, child, pid: child.pid!, port, output, inspector: await openInspector(inspectorUrl) }
    }
    await sleep(100)
  }
  child.kill('SIGKILL')
  children.delete(child)
  throw new Error(`${name} server did not come up on port ${port}:\n${output.join('\n')}`)
}

async function stopServer(server: Server): Promise<void> {
  server.inspector.close()
  const { child } = server
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  children.delete(child)
}

/** RSS and live heap right after a forced full GC, in MB. */
async function memoryAfterGc(server: Server): Promise<{ rssMB: number, heapUsedMB: number }> {
  await server.inspector.send('HeapProfiler.collectGarbage')
  const { result } = await server.inspector.send<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })
  const usage = JSON.parse(result.value) as { heapUsed: number }
  return { rssMB: rssBytes(server.pid) / MB, heapUsedMB: usage.heapUsed / MB }
}

/**
 * With --cpu-prof, V8's sampling CPU profiler around one phase; with --heap-prof, its sampling heap
 * profiler, keeping what GC collected too (all that was allocated, not what survived). The profiles
 * go to bench/results/profiles/ (open them in Chrome DevTools, or node bench/profile-summary.ts).
 */
async function profiled<T>(server: Server, name: string, phase: () => Promise<T>): Promise<T> {
  const { send } = server.inspector
  if (CPU_PROF) {
    await send('Profiler.enable')
    await send('Profiler.setSamplingInterval', { interval: 200 })
    await send('Profiler.start')
  }
  if (HEAP_PROF) await send('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  const result = await phase()
  const save = (extension: string, profile: Profile) => {
    const file = join(PROFILE_DIR, `${name}.${extension}`)
    writeFileSync(file, JSON.stringify(profile))
    profiles.push({ name, file, summary: summarize(profile) })
  }
  if (CPU_PROF) save('cpuprofile', (await send<{ profile: Profile }>('Profiler.stop')).profile)
  if (HEAP_PROF) save('heapprofile', (await send<{ profile: Profile }>('HeapProfiler.stopSampling')).profile)
  return result
}
const profiles: Array<{ name: string, file: string, summary: ReturnType<typeof summarize> }> = []

// ---- HTTP to the server, the load client over IPC ----------------------------------------------------

/**
 * A new connection per request, except through `agent`: the publish loop keeps one connection for its
 * 20 requests. (A kept-alive socket idle for more than the server's 5 s keep-alive timeout, as it is
 * across a forced GC at 10k, would sooner or later be reused just as the server closes it: ECONNRESET.)
 */
function http(port: number, method: string, path: string, body?: unknown, agent: Agent | false = false): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const json = body === undefined ? undefined : JSON.stringify(body)
    const headers = json === undefined ? {} : { 'authorization': `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers, timeout: 10_000 }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => text += chunk).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('timeout', () => req.destroy(new Error('timed out'))).on('error', error => reject(new Error(`${method} ${path} on port ${port}: ${error.message}`)))
    req.end(json)
  })
}

/** Opens a GET and hangs up at its first bytes (a broadcast stream never ends by itself). */
function touch(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('timeout', () => req.destroy(new Error('timed out'))).on('error', error => reject(new Error(`GET ${path} on port ${port}: ${error.message}`))).end()
  })
}

async function openStreams(port: number): Promise<number> {
  const { body } = await http(port, 'GET', '/api/notify/stats')
  return (JSON.parse(body) as { connections: { total: number } }).connections.total
}

/** Polls the server's own count of open streams until it is 0 (or time is up); returns the last count. */
async function waitForNoStreams(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let open = await openStreams(port)
  while (open > 0 && Date.now() < deadline) {
    await sleep(100)
    open = await openStreams(port)
  }
  return open
}

/**
 * Nitro loads a route's code on its first request: every route is used a few times before anything
 * is measured, so no measured phase carries module loading (the baseline has none to do).
 */
async function warmUp(port: number): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await touch(port, '/api/notify/events?topic=warmup')
    await http(port, 'POST', '/api/notify/publish', { topic: 'warmup', data: { seq: 0, sentAt: 0 } })
    await touch(port, '/api/notify/stream?count=2&interval=10')
  }
  await waitForNoStreams(port, 5000)
}

interface LoadClient { pid: number, ask: <T extends Reply['type']>(command: Command, expect: T, timeoutMs: number) => Promise<Extract<Reply, { type: T }>> }

function startLoadClient(): { client: LoadClient, child: ChildProcess } {
  const child = fork(join(BENCH_DIR, 'load-client.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const ask = <T extends Reply['type']>(command: Command, expect: T, timeoutMs: number) =>
    new Promise<Extract<Reply, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load client: no answer to ${command.type} in ${timeoutMs} ms`)), timeoutMs)
      child.once('message', (reply: Reply) => {
        clearTimeout(timer)
        if (reply.type === expect) resolve(reply as Extract<Reply, { type: T }>)
        else reject(new Error(`load client: ${reply.type === 'error' ? reply.message : `unexpected ${reply.type}`}`))
      })
      child.send(command)
    })
  return { client: { pid: child.pid!, ask }, child }
}

/** A fresh server and load client for one measurement; both are gone when it returns or throws. */
async function withServer<T>(name: TargetName, measure: (server: Server, client: LoadClient) => Promise<T>): Promise<T> {
  const server = await startServer(name)
  const { client, child } = startLoadClient()
  try {
    await warmUp(server.port)
    // Let start-up work (JIT, first GCs) settle before anything is measured.
    await sleep(500)
    return await measure(server, client)
  }
  finally {
    child.kill('SIGKILL')
    await stopServer(server)
  }
}

// ---- scenarios ---------------------------------------------------------------------------------------

interface Base { target: TargetName, run: number }

interface BroadcastResult extends Base {
  n: number
  ready: number
  connectSeconds: number
  firstError?: string
  idleRssMB: number
  heldRssMB: number
  rssPerConnectionKB: number
  heapPerConnectionKB: number
  publishCpuSeconds: number
  publishWriteSyscalls: number
  publishWrittenMB: number
  clientCpuSeconds: number
  otherCpuSeconds: number
  /** RSS after the warm-up publishes, just before the measured ones. */
  steadyRssMB: number
  rssGrowthMB: number
  rssGrowthPercent: number
  /** Peak over the GC'd held RSS: includes the young generation growing back. */
  coldGrowthPercent: number
  retainedGrowthMB: number
  deliveredReported: number
  framesReceived: number
  framesExpected: number
  completeSubscribers: number
  latencyMs: { p50: number, p99: number, max: number, mean: number }
  openAfterClose: number
}

async function broadcastScenario(target: TargetName, n: number, run: number): Promise<BroadcastResult> {
  return withServer(target, async (server, client) => {
    const { pid, port } = server
    const idle = await memoryAfterGc(server)
    const topic = `bench-${n}`
    const subscribed = await client.ask({ type: 'subscribe', port, path: `/api/notify/events?topic=${topic}`, n, timeoutMs: 180_000 }, 'subscribed', 190_000)
    const held = await memoryAfterGc(server)
    // The forced GC also shrank V8's young generation, which the first publishes grow back (to ~32 MB,
    // in both servers): warm-up events (seq 0, not counted) bring the heap to its working size first,
    // so the growth measured below is what publishing adds in steady state.
    for (let i = 0; i < WARM_UP_PUBLISHES; i++) {
      await http(port, 'POST', '/api/notify/publish', { topic, data: { seq: 0, sentAt: 0 } })
      await sleep(PUBLISH_INTERVAL_MS)
    }
    await sleep(500)
    const steadyRss = rssBytes(pid) / MB

    const { publish, collected, used, peakRss } = await profiled(server, `${target}-broadcast-${n}-run${run}`, async () => {
      const sampler = rssSampler(pid)
      const cpu = meter(pid, client.pid)
      const started = now()
      let delivered = 0
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      for (let seq = 1; seq <= MESSAGES; seq++) {
        await sleep(started + (seq - 1) * PUBLISH_INTERVAL_MS - now())
        // The send time travels in the payload: the client subtracts it from the time it reads the frame.
        const answer = await http(port, 'POST', '/api/notify/publish', { topic, data: { seq, sentAt: now() } }, agent)
        if (answer.status !== 200) throw new Error(`publish answered ${answer.status}: ${answer.body}`)
        delivered += (JSON.parse(answer.body) as { delivered: number }).delivered
      }
      agent.destroy()
      const collected = await client.ask({ type: 'collect', messages: MESSAGES, timeoutMs: 30_000 }, 'collected', 40_000)
      return { publish: { delivered }, collected, used: cpu(), peakRss: sampler.stop() / MB }
    })
    const after = await memoryAfterGc(server)

    await client.ask({ type: 'close' }, 'closed', 10_000)
    const openAfterClose = await waitForNoStreams(port, 10_000)
    return {
      target,
      run,
      n,
      ready: subscribed.ready,
      connectSeconds: subscribed.seconds,
      firstError: subscribed.firstError,
      idleRssMB: idle.rssMB,
      heldRssMB: held.rssMB,
      rssPerConnectionKB: (held.rssMB - idle.rssMB) * 1024 / n,
      heapPerConnectionKB: (held.heapUsedMB - idle.heapUsedMB) * 1024 / n,
      publishCpuSeconds: used.server,
      publishWriteSyscalls: used.writeSyscalls,
      publishWrittenMB: used.writtenMB,
      clientCpuSeconds: used.client,
      otherCpuSeconds: used.other,
      steadyRssMB: steadyRss,
      rssGrowthMB: peakRss - steadyRss,
      rssGrowthPercent: (peakRss - steadyRss) / steadyRss * 100,
      coldGrowthPercent: (peakRss - held.rssMB) / held.rssMB * 100,
      retainedGrowthMB: after.rssMB - held.rssMB,
      deliveredReported: publish.delivered,
      framesReceived: collected.received,
      framesExpected: n * MESSAGES,
      completeSubscribers: collected.complete,
      latencyMs: collected.latencyMs,
      openAfterClose,
    }
  })
}

interface CountingResult extends Base {
  n: number
  complete: number
  frames: number
  framesExpected: number
  seconds: number
  firstError?: string
  cpuSeconds: number
  writeSyscalls: number
  writtenMB: number
  clientCpuSeconds: number
  otherCpuSeconds: number
  rssPerConnectionKB: number
  rssAfterMB: number
}

async function countingScenario(target: TargetName, n: number, run: number): Promise<CountingResult> {
  return withServer(target, async (server, client) => {
    const idle = await memoryAfterGc(server)
    const path = `/api/notify/stream?count=${COUNT}&interval=${COUNT_INTERVAL_MS}`
    const { counted, used, peakRss } = await profiled(server, `${target}-counting-${n}-run${run}`, async () => {
      const sampler = rssSampler(server.pid)
      const cpu = meter(server.pid, client.pid)
      const counted = await client.ask({ type: 'counting', port: server.port, path, n, timeoutMs: 120_000 }, 'counted', 130_000)
      return { counted, used: cpu(), peakRss: sampler.stop() / MB }
    })
    return {
      target,
      run,
      n,
      complete: counted.complete,
      frames: counted.messages + counted.customEvents + counted.done,
      framesExpected: n * (COUNT + Math.floor(COUNT / 10) + 1),
      seconds: counted.seconds,
      firstError: counted.firstError,
      cpuSeconds: used.server,
      writeSyscalls: used.writeSyscalls,
      writtenMB: used.writtenMB,
      clientCpuSeconds: used.client,
      otherCpuSeconds: used.other,
      // The n streams of ~1 s each are all opened within a fraction of that, so the peak holds ~all of them.
      rssPerConnectionKB: (peakRss - idle.rssMB) * 1024 / n,
      rssAfterMB: (await memoryAfterGc(server)).rssMB,
    }
  })
}

interface ChurnResult extends Base {
  cycles: number
  ok: number
  failed: number
  firstError?: string
  perSecond: number
  cpuSeconds: number
  writeSyscalls: number
  idleRssMB: number
  rssAfterMB: number
  openAfter: number
}

async function churnScenario(target: TargetName, cycles: number, run: number): Promise<ChurnResult> {
  return withServer(target, async (server, client) => {
    const idle = await memoryAfterGc(server)
    const { churned, used } = await profiled(server, `${target}-churn-${cycles}-run${run}`, async () => {
      const cpu = meter(server.pid, client.pid)
      const churned = await client.ask({ type: 'churn', port: server.port, path: '/api/notify/events?topic=churn', cycles, timeoutMs: 120_000 }, 'churned', 130_000)
      return { churned, used: cpu() }
    })
    // The server's own count of open streams must come back to 0: every way of leaving released its stream.
    const openAfter = await waitForNoStreams(server.port, 10_000)
    const after = await memoryAfterGc(server)
    return { target, run, cycles, ok: churned.ok, failed: churned.failed, firstError: churned.firstError, perSecond: churned.perSecond, cpuSeconds: used.server, writeSyscalls: used.writeSyscalls, idleRssMB: idle.rssMB, rssAfterMB: after.rssMB, openAfter }
  })
}

// ---- report ------------------------------------------------------------------------------------------

type Row = [metric: string, baseline: string, nuxt: string, ratio: string, target: string, verdict: string]
interface TargetCheck { name: string, measured: string, perRun: string, pass: boolean }

const fixed = (value: number | undefined, digits = 1) => value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits)
const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const verdict = (pass: boolean | undefined) => pass === undefined ? '' : pass ? 'PASS' : 'MISS'

/**
 * Table rows for one scenario: per metric the median over the repeats of each target, the ratio of
 * those medians, and, for the issue's targets, the per-repeat ratios too (they show the noise).
 */
function rowsFor<R extends Base>(runs: R[], judged: boolean, checks: TargetCheck[], title: string) {
  const of = (target: TargetName) => runs.filter(r => r.target === target).sort((a, b) => a.run - b.run)
  const [base, nuxt] = [of('baseline'), of('nuxt')]
  const rows: Row[] = []
  /** A metric; with `limit` the nuxt/baseline ratio is judged, with `absolute` nuxt's own median. */
  const metric = (name: string, pick: (r: R) => number, digits: number, limit?: number, absolute?: { max: number, shown: string }) => {
    const b = base.length ? median(base.map(pick)) : undefined
    const x = nuxt.length ? median(nuxt.map(pick)) : undefined
    const ratio = b && x !== undefined ? x / b : undefined
    if (absolute) {
      const pass = judged && x !== undefined ? x <= absolute.max : undefined
      if (pass !== undefined) checks.push({ name: `${title}: ${name} ${absolute.shown}`, measured: fixed(x, digits), perRun: nuxt.map(r => fixed(pick(r), digits)).join(', '), pass })
      rows.push([name, fixed(b, digits), fixed(x, digits), fixed(ratio, 2), judged ? absolute.shown : '', verdict(pass)])
      return
    }
    const pass = judged && limit !== undefined && ratio !== undefined ? ratio <= limit : undefined
    if (pass !== undefined) {
      const perRun = nuxt.map(r => base.find(p => p.run === r.run)).map((p, i) => p ? fixed(pick(nuxt[i]!) / pick(p), 2) : '-').join(', ')
      checks.push({ name: `${title}: ${name} <= ${limit}x baseline`, measured: `${fixed(ratio, 2)}x`, perRun, pass })
    }
    rows.push([name, fixed(b, digits), fixed(x, digits), fixed(ratio, 2), judged && limit ? `<= ${limit}x` : '', verdict(pass)])
  }
  /** A row that must hold in every repeat of nuxt (nothing lost, leaks); shows the worst case. */
  const every = (name: string, show: (r: R[]) => string, ok: ((r: R) => boolean) | undefined, target: string) => {
    const pass = judged && ok && nuxt.length ? nuxt.every(ok) : undefined
    if (pass !== undefined) checks.push({ name: `${title}: ${name}`, measured: show(nuxt), perRun: nuxt.map(r => ok!(r) ? 'ok' : 'FAIL').join(', '), pass })
    rows.push([name, base.length ? show(base) : '-', nuxt.length ? show(nuxt) : '-', '', judged ? target : '', verdict(pass)])
  }
  return { rows, metric, every }
}

function broadcastTable(results: BroadcastResult[], n: number, judged: boolean, checks: TargetCheck[]): Row[] {
  const { rows, metric, every } = rowsFor(results.filter(r => r.n === n), judged, checks, `N=${n}`)
  metric('connect all N (s)', r => r.connectSeconds, 2)
  metric('idle RSS (MB)', r => r.idleRssMB, 1)
  metric('held RSS (MB)', r => r.heldRssMB, 1)
  metric('RSS per held connection (KB)', r => r.rssPerConnectionKB, 2, 1.5)
  metric('live heap per connection (KB)', r => r.heapPerConnectionKB, 2)
  metric('publish CPU, server (s)', r => r.publishCpuSeconds, 2, 1.5)
  metric('publish write syscalls, server', r => r.publishWriteSyscalls, 0)
  metric('publish bytes written (MB)', r => r.publishWrittenMB, 1)
  metric('latency p50 (ms)', r => r.latencyMs.p50, 1)
  metric('latency p99 (ms)', r => r.latencyMs.p99, 1, 1.5)
  metric('latency max (ms)', r => r.latencyMs.max, 1)
  metric('RSS before publishing (MB)', r => r.steadyRssMB, 1)
  metric('RSS growth publishing, peak (MB)', r => r.rssGrowthMB, 1)
  metric('RSS growth, % of held (steady)', r => r.rssGrowthPercent, 1, undefined, { max: 10, shown: '<= 10%' })
  metric('  same, from GC\'d held (cold) %', r => r.coldGrowthPercent, 1)
  metric('RSS retained after publish+GC (MB)', r => r.retainedGrowthMB, 1)
  every('frames received / expected', rs => `${sum(rs, r => r.framesReceived)}/${sum(rs, r => r.framesExpected)}`, r => r.ready === r.n && r.framesReceived === r.framesExpected && r.completeSubscribers === r.n, 'all')
  metric('load client CPU (s)', r => r.clientCpuSeconds, 2)
  metric('other processes CPU (s)', r => r.otherCpuSeconds, 2)
  every('open streams after close', rs => String(Math.max(...rs.map(r => r.openAfterClose))), undefined, '')
  return rows
}

/** The sum of one number over every repeat's results. */
function sum<R>(results: R[], pick: (result: R) => number): number {
  return results.reduce((total, result) => total + pick(result), 0)
}

function countingTable(results: CountingResult[], checks: TargetCheck[]): Row[] {
  const { rows, metric, every } = rowsFor(results, true, checks, 'counting')
  every('frames (msgs+custom+done)', rs => `${sum(rs, r => r.frames)}/${sum(rs, r => r.framesExpected)}`, r => r.frames === r.framesExpected && r.complete === r.n, 'all')
  metric('server CPU (s)', r => r.cpuSeconds, 2, 2)
  metric('server write syscalls', r => r.writeSyscalls, 0)
  metric('server bytes written (MB)', r => r.writtenMB, 1)
  metric('RSS per connection, peak (KB)', r => r.rssPerConnectionKB, 2)
  metric('RSS after, GC (MB)', r => r.rssAfterMB, 1)
  metric('wall time (s)', r => r.seconds, 2)
  metric('load client CPU (s)', r => r.clientCpuSeconds, 2)
  metric('other processes CPU (s)', r => r.otherCpuSeconds, 2)
  return rows
}

function churnTable(results: ChurnResult[], checks: TargetCheck[]): Row[] {
  const { rows, metric, every } = rowsFor(results, true, checks, 'churn')
  metric('connections per second', r => r.perSecond, 0)
  every('cycles failed', rs => String(sum(rs, r => r.failed)), r => r.failed === 0, '0')
  metric('server CPU (s)', r => r.cpuSeconds, 2)
  metric('server write syscalls', r => r.writeSyscalls, 0)
  metric('idle RSS, GC (MB)', r => r.idleRssMB, 1)
  metric('RSS after churn, GC (MB)', r => r.rssAfterMB, 1)
  every('stats connections.total after', rs => String(Math.max(...rs.map(r => r.openAfter))), r => r.openAfter === 0, '0')
  return rows
}

function printTable(title: string, rows: Row[]): void {
  const head: Row = ['metric (median)', 'baseline', 'nuxt', 'nuxt/base', 'target', '']
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map(row => row[i]!.length)))
  const line = (row: Row) => row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  ').trimEnd()
  console.log(`\n${title}\n${line(head)}\n${widths.map(w => '-'.repeat(w)).join('  ')}`)
  for (const row of rows) console.log(line(row))
}

// ---- main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let sizes = options.sizes.split(',').map(Number).filter(n => n > 0)
  // The server and the load client each hold one descriptor per connection, plus a few of their own.
  const limit = openFilesLimit()
  const tooBig = sizes.filter(n => n + 500 > limit)
  if (tooBig.length > 0) {
    console.error(`bench: the open-files limit is ${limit}; N=${tooBig.join(',')} needs more. Run it as \`npm run bench\` (which raises the limit), or \`ulimit -n 65536\` first. Skipping those sizes.`)
    sizes = sizes.filter(n => n + 500 <= limit)
  }
  const prepared = await prepareServers()
  entries = prepared.entries
  const build = prepared.builtAt
  // Others change server/ and rebuild while we run: say which build and which tree was measured.
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
  const changed = execFileSync('git', ['status', '--porcelain', '--', 'server', 'shared', 'nuxt.config.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).length
  mkdirSync(CPU_PROF || HEAP_PROF ? PROFILE_DIR : RESULTS_DIR, { recursive: true })
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMB: Math.round(totalmem() / MB),
    openFilesLimit: limit,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
    nuxtBuiltAt: build,
    commit,
    uncommittedServerFiles: changed,
  }
  console.log(`bench: node ${machine.node}, ${machine.cpus} x ${machine.cpuModel}, load average ${machine.loadAverageAtStart.map(l => l.toFixed(2)).join(' ')}`)
  console.log(`bench: nuxt build of ${build} (.output, copied), git ${commit}${changed ? ` + ${changed} uncommitted files in server/, shared/, nuxt.config.ts` : ''}`)
  if (options['node-flags']) console.log(`bench: both servers run with ${options['node-flags']}`)
  console.log(`bench: sizes ${sizes.join(',')} x ${REPEAT} repeats, ${MESSAGES} messages every ${PUBLISH_INTERVAL_MS} ms, ${STREAMS} counting streams, ${CHURN_CYCLES} churn cycles`)
  if (CPU_PROF || HEAP_PROF) console.log('bench: profiling: the servers run under a sampling profiler, so these numbers are not for the targets')

  const broadcast: BroadcastResult[] = []
  const counting: CountingResult[] = []
  const churn: ChurnResult[] = []
  const progress = (text: string) => process.stderr.write(`  ${text}\n`)
  for (let run = 1; run <= REPEAT; run++) {
    for (const n of SCENARIOS.has('broadcast') ? sizes : []) {
      for (const target of TARGETS) {
        const r = await broadcastScenario(target, n, run)
        progress(`run ${run} broadcast N=${n} ${target}: ${r.ready}/${n} in ${r.connectSeconds.toFixed(1)} s, p99 ${r.latencyMs.p99.toFixed(0)} ms, publish CPU ${r.publishCpuSeconds.toFixed(2)} s, ${r.framesReceived}/${r.framesExpected} frames, other CPU ${r.otherCpuSeconds.toFixed(1)} s${r.firstError ? `, first error: ${r.firstError}` : ''}`)
        broadcast.push(r)
      }
    }
    for (const target of SCENARIOS.has('counting') ? TARGETS : []) {
      const r = await countingScenario(target, STREAMS, run)
      progress(`run ${run} counting N=${STREAMS} ${target}: ${r.complete}/${r.n} complete, CPU ${r.cpuSeconds.toFixed(2)} s${r.firstError ? `, first error: ${r.firstError}` : ''}`)
      counting.push(r)
    }
    for (const target of SCENARIOS.has('churn') ? TARGETS : []) {
      const r = await churnScenario(target, CHURN_CYCLES, run)
      progress(`run ${run} churn ${CHURN_CYCLES} ${target}: ${r.perSecond.toFixed(0)}/s, ${r.failed} failed, ${r.openAfter} open after${r.firstError ? `, first error: ${r.firstError}` : ''}`)
      churn.push(r)
    }
  }
  machine.loadAverageAtEnd = loadavg()

  // The issue's targets are for 10k subscribers; when only smaller sizes ran, the largest is judged.
  const judgedAt = Math.max(...sizes)
  const checks: TargetCheck[] = []
  for (const n of broadcast.length ? sizes : []) {
    printTable(`Broadcast: N=${n} subscribers, ${MESSAGES} messages${n === judgedAt ? ' (targets judged here)' : ''}`, broadcastTable(broadcast, n, n === judgedAt, checks))
  }
  if (counting.length) printTable(`Counting streams: N=${STREAMS}, count=${COUNT}, interval=${COUNT_INTERVAL_MS} ms`, countingTable(counting, checks))
  if (churn.length) printTable(`Churn: ${CHURN_CYCLES} subscribe/leave cycles (half FIN, half RST)`, churnTable(churn, checks))

  console.log(`\nTargets (median of ${REPEAT}; per-repeat values after "runs:")${judgedAt !== 10_000 ? `, judged at N=${judgedAt}, not the issue's N=10000` : ''}:`)
  for (const check of checks) console.log(`  ${check.pass ? 'PASS' : 'MISS'}  ${check.name}: ${check.measured}   (runs: ${check.perRun})`)
  console.log(`\nload average at start ${machine.loadAverageAtStart[0]!.toFixed(2)}, at end ${machine.loadAverageAtEnd[0]!.toFixed(2)} on ${machine.cpus} cores; "other processes CPU" above is the foreign load during each phase.`)

  for (const { file, summary } of profiles.filter(p => p.name.startsWith('nuxt') && p.name.endsWith(`run${REPEAT}`))) {
    console.log(`\n${formatSummary(file, { ...summary, byFunction: summary.byFunction.slice(0, 12), byFile: summary.byFile.slice(0, 6) })}`)
  }

  const file = join(RESULTS_DIR, 'latest.json')
  const settings = { nodeFlags: options['node-flags'], sizes, repeat: REPEAT, messages: MESSAGES, publishIntervalMs: PUBLISH_INTERVAL_MS, streams: STREAMS, churnCycles: CHURN_CYCLES, targets: TARGETS, cpuProf: CPU_PROF, heapProf: HEAP_PROF }
  writeFileSync(file, `${JSON.stringify({ machine, settings, checks, broadcast, counting, churn }, null, 2)}\n`)
  console.log(`\nresults: ${file}`)
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error('bench failed:', error)
  process.exit(1)
})
