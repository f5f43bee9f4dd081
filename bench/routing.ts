/**
 * `npm run bench:routing [-- --topics 10000 --publishes 4000 --instances 4]`
 *
 * What each instance takes from Redis, per publish, with private topics (one subscriber each, a
 * quarter of them on each of 4 instances): the Redis bus on one Redis and on a Redis Cluster
 * (3 masters + 3 replicas, publishes wait for a replica), in one run. (It once compared a one-stream
 * bus, where every instance read every event; that bus is retired: bench/README.md.) Per instance: Redis -> instance bytes (the kernel's per-socket
 * bytes_received of the instance's sockets to Redis, from `ss -ti`), events taken from Redis (stats
 * `bus.received`) and CPU (utime+stime from /proc) during the publish phase, divided by the publishes
 * of the whole system (publishes enter through a fifth instance, not measured). Then the cost of WAIT: sequential publish latency on the cluster, with and
 * without waiting for a replica. Prints tables; writes bench/results/routing.json.
 */
import type { ChildProcess } from 'node:child_process'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { type Socket, connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const ROOT = dirname(BENCH_DIR)
const TOKEN = 'bench-token-0123456789'
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

const { values: options } = parseArgs({
  options: {
    'topics': { type: 'string', default: '10000' },
    'publishes': { type: 'string', default: '4000' },
    'instances': { type: 'string', default: '4' },
    'concurrency': { type: 'string', default: '8' },
    'latency-publishes': { type: 'string', default: '500' },
    'designs': { type: 'string', default: 'routed-single,routed-cluster' },
    'timeout-minutes': { type: 'string', default: '20' },
  },
})
const TOPICS = Number(options.topics)
const PUBLISHES = Number(options.publishes)
const INSTANCES = Number(options.instances)
const CONCURRENCY = Number(options.concurrency)
const LATENCY_PUBLISHES = Number(options['latency-publishes'])
const DESIGNS = options.designs.split(',')

const overall = setTimeout(() => {
  console.error(`bench:routing: not done within ${options['timeout-minutes']} minutes; stopping`)
  cleanup()
  process.exit(2)
}, Number(options['timeout-minutes']) * 60_000)
overall.unref()

const children = new Set<ChildProcess>()
const dirs: string[] = []
function cleanup() {
  for (const child of children) child.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Polls `check` until it holds, or fails naming `what` after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`bench:routing: ${what} not within ${timeoutMs} ms`)
    await sleep(100)
  }
}

function launch(command: string, args: string[], env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  let output = ''
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', chunk => (output = (output + chunk).slice(-4000)))
  child.stderr!.on('data', chunk => (output = (output + chunk).slice(-4000)))
  child.on('error', error => console.error(`bench:routing: ${command} could not start: ${error.message}`))
  children.add(child)
  child.on('exit', () => children.delete(child))
  return Object.assign(child, { output: () => output })
}

function cli(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 }, (error, stdout) => error ? reject(error) : resolve(stdout)))
}

interface Backend {
  ports: number[]
  pids: number[]
  env: Record<string, string>
  stop: () => Promise<void>
}

async function startRedis(): Promise<Backend> {
  const port = await freePort()
  const child = launch('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
  await waitFor(`redis-server on ${port}`, async () => (await cli(port, 'PING')).trim() === 'PONG')
  return { ports: [port], pids: [child.pid!], env: { NUXT_NOTIFY_REDIS_URL: `redis://127.0.0.1:${port}` }, stop: async () => void child.kill('SIGKILL') }
}

async function startCluster(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'notify-bench-cluster-'))
  dirs.push(dir)
  const ports: number[] = []
  for (let i = 0; i < 6; i++) ports.push(await freePort())
  const nodes = ports.map(port => launch('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no']))
  for (const port of ports) await waitFor(`cluster node on ${port}`, async () => (await cli(port, 'PING')).trim() === 'PONG')
  await new Promise<void>((resolve, reject) => execFile('redis-cli', ['--cluster', 'create', ...ports.map(port => `127.0.0.1:${port}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 }, error => error ? reject(error) : resolve()))
  await waitFor('the cluster to be whole, replicas in sync', async () => {
    for (const port of ports) if (!/cluster_state:ok/.test(await cli(port, 'CLUSTER', 'INFO'))) return false
    const masters = (await cli(ports[0]!, 'CLUSTER', 'NODES')).split('\n').filter(line => /master/.test(line) && !/fail/.test(line))
    for (const line of masters) {
      const port = Number(/:(\d+)@/.exec(line)?.[1])
      if (!/slave0:.*state=online/.test(await cli(port, 'INFO', 'replication'))) return false
    }
    return masters.length === 3
  }, 60_000)
  return { ports, pids: nodes.map(node => node.pid!), env: { NUXT_NOTIFY_REDIS_CLUSTER_NODES: ports.map(port => `127.0.0.1:${port}`).join(',') }, stop: async () => nodes.forEach(node => node.kill('SIGKILL')) }
}

interface Instance {
  port: number
  child: ChildProcess & { output: () => string }
}

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort()
  const child = launch(process.execPath, [join(ROOT, '.output/server/index.mjs')], {
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
    NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
    NUXT_NOTIFY_HEARTBEAT_MS: '600000',
    NUXT_NOTIFY_MAX_STREAMS: '0',
    NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0',
    NUXT_NOTIFY_MAX_LIFETIME_MS: '0',
    ...env,
  })
  await waitFor(`the app on ${port} (${child.output().slice(-300)})`, async () => (await json(port, 'GET', '/api/health')).status === 'ok')
  return { port, child }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 })
/** The few fields of the app's answers the bench reads (health, stats). */
interface Answer {
  status?: string
  connections: { total: number }
  bus: { received?: number, ticks?: number }
}

function json(port: number, method: string, path: string, body?: unknown, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, timeout: 10_000, headers: { 'authorization': `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
      let text = ''
      res.on('data', chunk => (text += chunk))
      res.on('end', () => res.statusCode! < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)))
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)))
    // A kept-alive socket the server closed meanwhile: the request never reached it, send it again.
    req.on('error', error => !retried && req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET'
      ? json(port, method, path, body, true).then(resolve, reject)
      : reject(error))
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** One raw SSE connection per topic; counts the `id:` lines it receives. */
function subscribe(port: number, topic: string, received: Map<string, number>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let head = true
    let carry = ''
    socket.setTimeout(30_000, () => socket.destroy(new Error(`subscribe ${topic}: no answer`)))
    socket.once('error', reject)
    socket.on('connect', () => socket.write(`GET /api/notify/events?topic=${topic} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n\r\n`))
    socket.on('data', (chunk) => {
      const text = carry + chunk.toString('latin1')
      if (head && text.includes('\r\n\r\n')) {
        head = false
        socket.setTimeout(0)
        resolve(socket)
      }
      const lines = text.split('\n')
      carry = lines.pop()!
      for (const line of lines) if (line.startsWith('id: ')) received.set(topic, (received.get(topic) ?? 0) + 1)
    })
  })
}

/** Bytes each process has received on its open TCP sockets to `ports` (the kernel's tcp_info). */
function bytesFromRedis(pids: number[], ports: number[]): Map<number, number> {
  const out = execFileSync('ss', ['-tinpH', 'state', 'established'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const totals = new Map<number, number>(pids.map(pid => [pid, 0]))
  const lines = out.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const peer = /\s\S+:(\d+)\s+\S+:(\d+)\s+users:\(\("[^"]*",pid=(\d+)/.exec(line)
    if (!peer) continue
    const [, , peerPort, pid] = peer.map(Number)
    if (!ports.includes(peerPort!) || !totals.has(pid!)) continue
    const info = lines[i + 1] ?? ''
    totals.set(pid!, totals.get(pid!)! + Number(/bytes_received:(\d+)/.exec(info)?.[1] ?? 0))
  }
  return totals
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 1000 / CLK_TCK
}

interface InstanceResult {
  subscribers: number
  bytesFromRedis: number
  eventsFromRedis: number
  ticks: number
  /** CPU over the publish phase, and the same less what the instance burns idle (measured before) over as long. */
  cpuMs: number
  netCpuMs: number
}

interface DesignResult {
  design: string
  publishes: number
  delivered: number
  seconds: number
  instances: InstanceResult[]
  redisCpuMs: number
  perPublish: { bytesFromRedisPerInstance: number, eventsFromRedisPerInstance: number, ticksPerInstance: number, cpuMsPerInstance: number, netCpuMsPerInstance: number, redisCpuMs: number }
}

async function measureDesign(design: string): Promise<DesignResult> {
  const backend = design === 'routed-cluster' ? await startCluster() : await startRedis()
  const env = backend.env
  const instances: Instance[] = []
  for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(env))
  // Publishes go through one more instance that holds no subscriber, so the measured instances'
  // CPU is what taking events from Redis and delivering them costs, not answering publishes.
  const publisher = await startInstance(env)
  try {
    // A quarter of the private topics' subscribers on each instance.
    const received = new Map<string, number>()
    const sockets: Socket[] = []
    for (let t = 0; t < TOPICS; t += 200) {
      sockets.push(...await Promise.all(Array.from({ length: Math.min(200, TOPICS - t) }, (_, k) => subscribe(instances[(t + k) % INSTANCES]!.port, `user.${t + k}`, received))))
    }
    await waitFor('every subscriber registered', async () => {
      const stats = await Promise.all(instances.map(instance => json(instance.port, 'GET', '/api/notify/stats')))
      return stats.reduce((sum, s) => sum + s.connections.total, 0) >= TOPICS
    }, 60_000)
    // Warm every route and connection (first publishes load code and open per-node connections).
    for (let i = 0; i < 40; i++) await json(publisher.port, 'POST', '/api/notify/publish', { topic: `user.${i}`, data: i })
    await sleep(500)

    const pids = instances.map(instance => instance.child.pid!)
    // What each instance costs idle (heartbeat timers, GC), to take out of the publish phase.
    const idleStart = pids.map(cpuMs)
    const idleStarted = performance.now()
    await sleep(3000)
    const idleRate = pids.map((pid, i) => (cpuMs(pid) - idleStart[i]!) / (performance.now() - idleStarted))
    const redisBefore = backend.pids.reduce((sum, pid) => sum + cpuMs(pid), 0)
    const statsBefore = await Promise.all(instances.map(instance => json(instance.port, 'GET', '/api/notify/stats')))
    const bytesBefore = bytesFromRedis(pids, backend.ports)
    const cpuBefore = pids.map(cpuMs)
    const started = performance.now()
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < PUBLISHES; i = next++) {
        const topic = `user.${Math.floor(Math.random() * TOPICS)}`
        await json(publisher.port, 'POST', '/api/notify/publish', { topic, data: { n: i, text: 'You have a new message' } })
      }
    }))
    const delivered = () => [...received.values()].reduce((sum, n) => sum + n, 0)
    await waitFor(`all ${PUBLISHES + 40} events delivered (have ${delivered()})`, async () => delivered() >= PUBLISHES + 40, 60_000)
    const seconds = (performance.now() - started) / 1000
    const cpuAfter = pids.map(cpuMs)
    const redisCpu = backend.pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - redisBefore
    const bytesAfter = bytesFromRedis(pids, backend.ports)
    const statsAfter = await Promise.all(instances.map(instance => json(instance.port, 'GET', '/api/notify/stats')))
    for (const socket of sockets) socket.destroy()

    const results: InstanceResult[] = instances.map((_, i) => ({
      subscribers: statsBefore[i]!.connections.total,
      bytesFromRedis: bytesAfter.get(pids[i]!)! - bytesBefore.get(pids[i]!)!,
      eventsFromRedis: (statsAfter[i]!.bus.received ?? 0) - (statsBefore[i]!.bus.received ?? 0),
      ticks: (statsAfter[i]!.bus.ticks ?? 0) - (statsBefore[i]!.bus.ticks ?? 0),
      cpuMs: cpuAfter[i]! - cpuBefore[i]!,
      netCpuMs: cpuAfter[i]! - cpuBefore[i]! - idleRate[i]! * seconds * 1000,
    }))
    const mean = (pick: (r: InstanceResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length / PUBLISHES
    return {
      design,
      publishes: PUBLISHES,
      delivered: delivered() - 40,
      seconds,
      instances: results,
      redisCpuMs: redisCpu,
      perPublish: {
        bytesFromRedisPerInstance: mean(r => r.bytesFromRedis),
        eventsFromRedisPerInstance: mean(r => r.eventsFromRedis),
        ticksPerInstance: mean(r => r.ticks),
        cpuMsPerInstance: mean(r => r.cpuMs),
        netCpuMsPerInstance: mean(r => r.netCpuMs),
        redisCpuMs: redisCpu / PUBLISHES,
      },
    }
  }
  finally {
    for (const instance of [...instances, publisher]) instance.child.kill('SIGKILL')
    await backend.stop()
  }
}

interface LatencyResult { wait: boolean, p50: number, p99: number, mean: number }

/** Sequential publishes on one instance on the cluster: the price of WAIT 1 per publish. */
async function measureWait(): Promise<LatencyResult[]> {
  const backend = await startCluster()
  try {
    const results: LatencyResult[] = []
    for (const wait of [false, true]) {
      const instance = await startInstance({ ...backend.env, NUXT_NOTIFY_REDIS_REPLICA_WAIT_MS: wait ? '1000' : '0' })
      for (let i = 0; i < 50; i++) await json(instance.port, 'POST', '/api/notify/publish', { topic: `warm.${i}`, data: i })
      const times: number[] = []
      for (let i = 0; i < LATENCY_PUBLISHES; i++) {
        const t0 = performance.now()
        await json(instance.port, 'POST', '/api/notify/publish', { topic: `user.${i}`, data: i })
        times.push(performance.now() - t0)
      }
      instance.child.kill('SIGKILL')
      times.sort((x, y) => x - y)
      const round = (ms: number) => Math.round(ms * 100) / 100
      results.push({ wait, p50: round(times[Math.floor(times.length / 2)]!), p99: round(times[Math.floor(times.length * 0.99)]!), mean: round(times.reduce((s, t) => s + t, 0) / times.length) })
    }
    return results
  }
  finally {
    await backend.stop()
  }
}

async function main() {
  const designs: DesignResult[] = []
  for (const design of DESIGNS) {
    console.error(`bench:routing: ${design}...`)
    designs.push(await measureDesign(design))
  }
  console.error('bench:routing: WAIT latency...')
  const latency = await measureWait()

  console.log(`\n${TOPICS} private topics, one subscriber each, ${INSTANCES} instances (a quarter of the subscribers each), ${PUBLISHES} publishes to random topics\n`)
  console.log('Per publish of the whole system, averaged over the 4 subscribing instances (Redis CPU: all its processes):\n')
  console.log('| design | Redis -> instance bytes | events from Redis | ticks asked | instance CPU ms (net of idle) | Redis CPU ms | delivered | publishes/s |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const d of designs) {
    const p = d.perPublish
    console.log(`| ${d.design} | ${p.bytesFromRedisPerInstance.toFixed(0)} | ${p.eventsFromRedisPerInstance.toFixed(3)} | ${p.ticksPerInstance.toFixed(3)} | ${p.cpuMsPerInstance.toFixed(3)} (${p.netCpuMsPerInstance.toFixed(3)}) | ${p.redisCpuMs.toFixed(3)} | ${d.delivered}/${d.publishes} | ${(d.publishes / d.seconds).toFixed(0)} |`)
  }
  console.log('\nPer instance over the publish phase [bytes from Redis, events from Redis, ticks, CPU ms (net)]:')
  for (const d of designs) console.log(`  ${d.design}: ${d.instances.map(r => `[${r.bytesFromRedis} B, ${r.eventsFromRedis} ev, ${r.ticks} ticks, ${r.cpuMs.toFixed(0)} (${r.netCpuMs.toFixed(0)}) ms]`).join(' ')}`)
  console.log('\nPublish latency on the cluster, one publisher, sequential:')
  console.log('| WAIT 1 for a replica | p50 ms | p99 ms | mean ms |')
  console.log('|---|---:|---:|---:|')
  for (const l of latency) console.log(`| ${l.wait ? 'yes' : 'no'} | ${l.p50} | ${l.p99} | ${l.mean} |`)

  mkdirSync(join(BENCH_DIR, 'results'), { recursive: true })
  writeFileSync(join(BENCH_DIR, 'results', 'routing.json'), `${JSON.stringify({ at: new Date().toISOString(), topics: TOPICS, instances: INSTANCES, publishes: PUBLISHES, designs, latency }, null, 2)}\n`)
}

main().then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
