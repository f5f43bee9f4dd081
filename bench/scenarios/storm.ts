/**
 * The reconnect storm after a deploy. Nuxt: two instances, A and B, on one Redis; --storm-size
 * subscribers on A; events published to B every --storm-publish-interval ms throughout; A gets
 * SIGTERM, ends every stream with a retry hint, and each subscriber reconnects to B at once (no
 * retry wait: the worst case) with its Last-Event-ID. Every subscriber must then have every event
 * exactly once. Baseline: the same number of plain connects to a fresh bare node:http server, all
 * queued at once through the same client, with the same publishes running: the floor for the storm.
 * Both: time until all are live, the receiving server's CPU in that time and its peak RSS.
 */
import { Agent, publish, warmUp } from '../lib/http.ts'
import { memory, profiled } from '../lib/inspector.ts'
import type { LoadClient } from '../lib/load.ts'
import { startLoadClient } from '../lib/load.ts'
import type { TargetName } from '../lib/options.ts'
import { options } from '../lib/options.ts'
import { MB, meter, now, rssSampler, sleep } from '../lib/processes.ts'
import type { Base, Table, TargetCheck } from '../lib/report.ts'
import { sum, table } from '../lib/report.ts'
import type { Server } from '../lib/servers.ts'
import { startRedis, startServer, stopServer } from '../lib/servers.ts'

export interface StormResult extends Base {
  n: number
  /** Nuxt: subscribers on A before the SIGTERM. */
  ready: number
  live: number
  /** Seconds from the SIGTERM (baseline: from queueing the connects) to the first / last subscriber live. */
  firstLiveSeconds: number
  allLiveSeconds: number
  connectsPerSecond: number
  failedAttempts: number
  firstError?: string
  /** The receiving server (B), from the SIGTERM until all are live: publishes included. */
  cpuSeconds: number
  cpuPerReconnectUs: number
  otherCpuSeconds: number
  idleRssMB: number
  peakRssMB: number
  /** (peak − idle) / n. */
  peakRssPerConnectionKB: number
  published: number
  /** Nuxt only: every subscriber must have events 1..published once each, in order. */
  completeSubscribers?: number
  lost?: number
  duplicated?: number
  resets?: number
  /** Nuxt only: SIGTERM to A's exit. */
  shutdownSeconds?: number
}

const PATH = '/api/notify/events?topic=storm'

/** Publishes seq 1, 2, ... to `port` every interval until stopped; `stop` resolves with the last seq. */
function publisher(port: number, intervalMs: number): { last: () => number, stop: () => Promise<number> } {
  let seq = 0
  let running = true
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const loop = (async () => {
    const started = now()
    while (running) {
      await publish(port, 'storm', { seq: ++seq, sentAt: now() }, agent)
      await sleep(started + seq * intervalMs - now())
    }
  })()
  return {
    last: () => seq,
    async stop() {
      running = false
      await loop
      agent.destroy()
      return seq
    },
  }
}

async function measureStorm(target: TargetName, run: number, receiver: Server, client: LoadClient, trigger: () => Promise<number>): Promise<Omit<StormResult, 'ready' | 'published'> & { since: number }> {
  const n = options.stormSize
  const idle = await memory(receiver, false)
  const sampler = rssSampler(receiver.pid)
  const cpu = meter(receiver.pid, client.pid)
  // With --cpu-prof / --heap-prof: the receiver from the trigger until all are live.
  const { since, reconnected, used } = await profiled(receiver, `${target}-storm-${n}-run${run}`, async () => {
    const since = await trigger()
    const reconnected = await client.ask({ type: 'reconnected', since, timeoutMs: 120_000 }, 'reconnected', 130_000)
    return { since, reconnected, used: cpu() }
  })
  const peakRss = sampler.stop() / MB
  return {
    target,
    run,
    n,
    since,
    live: reconnected.live,
    firstLiveSeconds: reconnected.firstSeconds,
    allLiveSeconds: reconnected.allSeconds,
    connectsPerSecond: reconnected.live / reconnected.allSeconds,
    failedAttempts: reconnected.failedAttempts,
    firstError: reconnected.firstError,
    cpuSeconds: used.server,
    cpuPerReconnectUs: used.server / Math.max(1, reconnected.live) * 1e6,
    otherCpuSeconds: used.other,
    idleRssMB: idle.rssMB,
    peakRssMB: peakRss,
    peakRssPerConnectionKB: (peakRss - idle.rssMB) * 1024 / n,
  }
}

export async function stormScenario(target: TargetName, run: number): Promise<StormResult> {
  return target === 'nuxt' ? nuxtStorm(run) : baselineStorm(run)
}

async function baselineStorm(run: number): Promise<StormResult> {
  const server = await startServer('baseline')
  const client = startLoadClient()
  try {
    await warmUp(server.port)
    await sleep(500)
    const publishing = publisher(server.port, options.stormPublishIntervalMs)
    const result = await measureStorm('baseline', run, server, client, async () => {
      const since = now()
      await client.ask({ type: 'storm-connect', port: server.port, path: PATH, n: options.stormSize }, 'ok', 10_000)
      return since
    })
    await sleep(1000)
    const published = await publishing.stop()
    return { ...result, ready: options.stormSize, published }
  }
  finally {
    client.stop()
    await stopServer(server)
  }
}

async function nuxtStorm(run: number): Promise<StormResult> {
  const redis = await startRedis()
  const started: Server[] = []
  const client = startLoadClient()
  try {
    const env = { NUXT_NOTIFY_REDIS_URL: redis.url }
    const a = await startServer('nuxt', env)
    started.push(a)
    const b = await startServer('nuxt', env)
    started.push(b)
    await warmUp(a.port)
    await warmUp(b.port)
    await sleep(500)
    const n = options.stormSize
    const subscribed = await client.ask({ type: 'subscribe', port: a.port, path: PATH, n, timeoutMs: 180_000 }, 'subscribed', 190_000)
    if (subscribed.ready < n) throw new Error(`storm: only ${subscribed.ready}/${n} subscribed to A (${subscribed.firstError})`)
    // Events flow (through Redis, published to B) before A goes: every subscriber has an id to resume from.
    const publishing = publisher(b.port, options.stormPublishIntervalMs)
    await client.ask({ type: 'resumed', lastSeq: 1, timeoutMs: 30_000 }, 'resumed', 40_000)
    await client.ask({ type: 'arm-reconnect', port: b.port, path: PATH }, 'ok', 10_000)
    const aExited = new Promise<number>(resolve => a.child.once('exit', () => resolve(now())))
    const result = await measureStorm('nuxt', run, b, client, async () => {
      const since = now()
      a.child.kill('SIGTERM')
      return since
    })
    // A little more publishing after all are back, then every subscriber must have 1..published.
    await sleep(1000)
    const published = await publishing.stop()
    const resumed = await client.ask({ type: 'resumed', lastSeq: published, timeoutMs: 30_000 }, 'resumed', 40_000)
    const exitedAt = await Promise.race([aExited, sleep(15_000).then(() => Number.NaN)])
    return {
      ...result,
      ready: subscribed.ready,
      published,
      completeSubscribers: resumed.complete,
      lost: resumed.lost,
      duplicated: resumed.duplicated,
      resets: resumed.resets,
      shutdownSeconds: (exitedAt - result.since) / 1000,
    }
  }
  finally {
    client.stop()
    for (const server of started) await stopServer(server)
    await redis.stop()
  }
}

export function stormTable(results: StormResult[], checks: TargetCheck[]): Table<StormResult> {
  const t = table(`Reconnect storm: ${options.stormSize} subscribers; nuxt: A (SIGTERM) -> B on Redis with Last-Event-ID; baseline: plain connects; publishes every ${options.stormPublishIntervalMs} ms`, 'storm', results, checks, 'nuxt')
  t.metric('first live again (s)', r => r.firstLiveSeconds, 2)
  t.metric('all live again (s)', r => r.allLiveSeconds, 2)
  t.metric('connects per second', r => r.connectsPerSecond, 0)
  t.metric('failed attempts (retried)', r => r.failedAttempts, 0)
  t.metric('receiver CPU until all live (s)', r => r.cpuSeconds, 2)
  t.metric('receiver CPU per reconnect (µs)', r => r.cpuPerReconnectUs, 0)
  t.metric('receiver idle RSS (MB)', r => r.idleRssMB, 1)
  t.metric('receiver peak RSS (MB)', r => r.peakRssMB, 1)
  t.metric('receiver peak RSS per connection (KB)', r => r.peakRssPerConnectionKB, 2)
  t.every('live / subscribers', rs => `${sum(rs, r => r.live)}/${sum(rs, r => r.n)}`, r => r.live === r.n, 'all')
  // Plain connects (the baseline) resume nothing: those rows are n/a there.
  const resumedOnly = (show: (rs: StormResult[]) => string) => (rs: StormResult[]) => rs.some(r => r.lost !== undefined) ? show(rs) : 'n/a'
  t.every('resumed complete (1..published, once)', resumedOnly(rs => `${sum(rs, r => r.completeSubscribers ?? 0)}/${sum(rs, r => r.n)}`), r => r.completeSubscribers === r.n, 'all')
  t.every('events lost', resumedOnly(rs => String(sum(rs, r => r.lost ?? 0))), r => r.lost === 0, '0')
  t.every('events duplicated', resumedOnly(rs => String(sum(rs, r => r.duplicated ?? 0))), r => r.duplicated === 0, '0')
  t.every('resets (history gone)', resumedOnly(rs => String(sum(rs, r => r.resets ?? 0))), r => r.resets === 0, '0')
  t.metric('A: SIGTERM to exit (s)', r => r.shutdownSeconds ?? Number.NaN, 2)
  t.metric('other processes CPU (s)', r => r.otherCpuSeconds, 2)
  return t
}
