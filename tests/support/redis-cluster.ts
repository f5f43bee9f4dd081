import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort, redisPing, stopProcess, waitForProcess } from './processes'

/** How long a master may be silent before its replica takes over; the failover test waits on it. */
export const NODE_TIMEOUT_MS = 1000
const FORM_TIMEOUT_MS = 30_000

export interface ClusterNode {
  port: number
  child?: ChildProcess
  output: string
}

export interface RedisCluster {
  /** Seed nodes for NUXT_NOTIFY_REDIS_CLUSTER_NODES. */
  seeds: string
  nodes: ClusterNode[]
  /** The port of the master serving `slot` now. */
  masterOf: (slot: number) => Promise<number>
  /** kill -9 one node: no goodbye, its replica has to notice. */
  kill: (port: number) => void
  /** Stops (SIGTERM) and starts every node again, on the same ports and files; waits until the cluster is whole. */
  stop: () => Promise<void>
  start: () => Promise<void>
  /** Until `port` serves no slot any more (its replica took over) and the cluster is whole again. */
  failedOver: (port: number, timeoutMs?: number) => Promise<void>
  /** Until every slot is served and every master has a replica in sync (or `replicas: false`: just served). */
  whole: (options?: { replicas?: boolean, timeoutMs?: number }) => Promise<void>
  dispose: () => Promise<void>
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (port + 10_000 > 65_535) continue
    const bus = createServer()
    const free = await new Promise<boolean>((resolve) => {
      bus.once('error', () => resolve(false))
      bus.listen(port + 10_000, '127.0.0.1', () => resolve(true))
    })
    if (free) await new Promise(resolve => bus.close(resolve))
    if (free) return port
  }
}

/** One command to one node, with a deadline. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, commandTimeout: 2000, connectTimeout: 2000 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    return await redis.call(args[0]!, ...args.slice(1))
  }
  finally {
    redis.disconnect()
  }
}

function run(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.message}):\n${stdout}${stderr}`))
      else resolve(stdout)
    })
  })
}

/**
 * A real Redis Cluster from Debian's redis-server: 3 masters and 3 replicas on free ports, append-only
 * files fsynced on every write, formed with `redis-cli --cluster create --cluster-replicas 1`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'notify-cluster-'))
  const nodes: ClusterNode[] = []
  for (let i = 0; i < 6; i++) nodes.push({ port: await freeClusterPort(), output: '' })

  /** Before the cluster is formed a node may move to another port if its own was taken meanwhile. */
  async function startFreshNode(node: ClusterNode) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await startNode(node)
      }
      catch (error) {
        if (attempt >= 2 || !/Address already in use/.test(String(error))) throw error
        node.port = await freeClusterPort()
      }
    }
  }

  async function startNode(node: ClusterNode) {
    node.output = ''
    const child = spawn('redis-server', [
      '--port', String(node.port), '--bind', '127.0.0.1', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${node.port}.conf`, '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
      '--appendonly', 'yes', '--appendfilename', `appendonly-${node.port}.aof`, '--appenddirname', `aof-${node.port}`, '--appendfsync', 'always', '--save', '',
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    node.child = child
    child.stdout!.on('data', chunk => (node.output += chunk))
    child.stderr!.on('data', chunk => (node.output += chunk))
    await waitForProcess(child, `redis-server (cluster node) on port ${node.port}`, () => redisPing(node.port), () => node.output)
  }

  /** CLUSTER SLOTS: [first slot, last slot, master [host, port], ...replicas]. */
  async function slotsOf(port: number): Promise<Array<[number, number, [string, number], ...Array<[string, number]>]>> {
    return await ask(port, 'CLUSTER', 'SLOTS') as Array<[number, number, [string, number], ...Array<[string, number]>]>
  }

  const live = () => nodes.filter(node => node.child && node.child.exitCode === null && node.child.signalCode === null)

  async function isWhole(replicas: boolean): Promise<boolean> {
    for (const node of live()) {
      const info = String(await ask(node.port, 'CLUSTER', 'INFO'))
      if (!/cluster_state:ok/.test(info)) return false
    }
    const ranges = await slotsOf(live()[0]!.port)
    let covered = 0
    for (const [from, to, master, ...copies] of ranges) {
      covered += to - from + 1
      if (!replicas) continue
      if (copies.length === 0) return false
      const replication = String(await ask(master[1], 'INFO', 'replication'))
      if (!/slave0:.*state=online/.test(replication)) return false
    }
    return covered === 16384
  }

  async function whole({ replicas = true, timeoutMs = FORM_TIMEOUT_MS } = {}) {
    const deadline = Date.now() + timeoutMs
    let last = ''
    for (;;) {
      try {
        if (await isWhole(replicas)) return
      }
      catch (error) {
        last = String(error)
      }
      if (Date.now() > deadline) throw new Error(`The Redis cluster was not whole${replicas ? ' (every slot served, every master with a replica in sync)' : ''} within ${timeoutMs} ms${last ? `: ${last}` : ''}`)
      await new Promise(resolve => setTimeout(resolve, 200))
    }
  }

  try {
    await Promise.all(nodes.map(startFreshNode))
    await run('redis-cli', ['--cluster', 'create', ...nodes.map(node => `127.0.0.1:${node.port}`), '--cluster-replicas', '1', '--cluster-yes'], FORM_TIMEOUT_MS)
    await whole()
  }
  catch (error) {
    await Promise.all(nodes.map(node => node.child && stopProcess(node.child)))
    rmSync(dir, { recursive: true, force: true })
    throw error
  }

  const cluster: RedisCluster = {
    seeds: nodes.map(node => `127.0.0.1:${node.port}`).join(','),
    nodes,
    async masterOf(slot) {
      for (const node of live()) {
        try {
          for (const [from, to, master] of await slotsOf(node.port)) if (slot >= from && slot <= to) return master[1]
        }
        catch {
          // Ask the next one.
        }
      }
      throw new Error(`No live node knows who serves slot ${slot}`)
    },
    kill(port) {
      nodes.find(node => node.port === port)?.child?.kill('SIGKILL')
    },
    async stop() {
      await Promise.all(nodes.map(async (node) => {
        if (node.child) await stopProcess(node.child)
        node.child = undefined
      }))
    },
    async start() {
      await Promise.all(nodes.filter(node => !node.child).map(startNode))
      // Replicas in sync again too: until then a publish waits for one in vain (503).
      await whole()
    },
    whole,
    async failedOver(port, timeoutMs = 10 * NODE_TIMEOUT_MS + 10_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const servers = await Promise.all(live().map(node => slotsOf(node.port).then(ranges => ranges.map(range => range[2][1]), () => [port])))
        if (servers.length > 0 && servers.every(masters => !masters.includes(port))) break
        if (Date.now() > deadline) throw new Error(`No replica took over from the master on port ${port} within ${timeoutMs} ms`)
        await new Promise(resolve => setTimeout(resolve, 100))
      }
      await whole({ replicas: false, timeoutMs: Math.max(1000, deadline - Date.now()) })
    },
    async dispose() {
      await cluster.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return cluster
}
