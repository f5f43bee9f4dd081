/**
 * Broadcast: N subscribers of one topic, held for --hold-seconds, then --messages publishes
 * --publish-interval apart. Memory per held connection (with and without a forced GC), publish CPU,
 * publish → receive latency, RSS growth while publishing, and every frame delivered once, in order.
 */
import { Agent, publish, waitForNoStreams } from '../lib/http.ts'
import { memory, profiled } from '../lib/inspector.ts'
import { withServer } from '../lib/load.ts'
import type { TargetName } from '../lib/options.ts'
import { WARM_UP_PUBLISHES, options } from '../lib/options.ts'
import { MB, meter, now, rssBytes, rssSampler, sleep } from '../lib/processes.ts'
import type { Base, Table, TargetCheck } from '../lib/report.ts'
import { fixed, median, sum, table } from '../lib/report.ts'

export interface BroadcastResult extends Base {
  n: number
  ready: number
  connectSeconds: number
  firstError?: string
  holdSeconds: number
  idleRssMB: number
  /** Held RSS read after the hold, without a forced GC: what a container's memory limit sees. */
  heldRssNoGcMB: number
  rssPerConnectionNoGcKB: number
  heapPerConnectionNoGcKB: number
  /** The same after a forced full GC. */
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

export function broadcastScenario(target: TargetName, n: number, run: number): Promise<BroadcastResult> {
  return withServer(target, async (server, client) => {
    const { pid, port } = server
    // Idle as the process is, then collected: the no-GC and the GC'd figures each subtract their own idle.
    const idleNoGc = await memory(server, false)
    const idle = await memory(server, true)
    const topic = `bench-${n}`
    const subscribed = await client.ask({ type: 'subscribe', port, path: `/api/notify/events?topic=${topic}`, n, timeoutMs: 180_000 }, 'subscribed', 190_000)
    // Nothing forces a GC in production: this is what the connects leave behind after a while.
    await sleep(options.holdSeconds * 1000)
    const heldNoGc = await memory(server, false)
    const held = await memory(server, true)
    // The forced GC also shrank V8's young generation, which the first publishes grow back (to ~32 MB,
    // in both servers): warm-up events (seq 0, not counted) bring the heap to its working size first,
    // so the growth measured below is what publishing adds in steady state.
    for (let i = 0; i < WARM_UP_PUBLISHES; i++) {
      await publish(port, topic, { seq: 0, sentAt: 0 })
      await sleep(options.publishIntervalMs)
    }
    await sleep(500)
    const steadyRss = rssBytes(pid) / MB

    const { delivered, collected, used, peakRss } = await profiled(server, `${target}-broadcast-${n}-run${run}`, async () => {
      const sampler = rssSampler(pid)
      const cpu = meter(pid, client.pid)
      const started = now()
      let delivered = 0
      const agent = new Agent({ keepAlive: true, maxSockets: 1 })
      for (let seq = 1; seq <= options.messages; seq++) {
        await sleep(started + (seq - 1) * options.publishIntervalMs - now())
        // The send time travels in the payload: the client subtracts it from the time it reads the frame.
        delivered += (await publish(port, topic, { seq, sentAt: now() }, agent)).delivered
      }
      agent.destroy()
      const collected = await client.ask({ type: 'collect', messages: options.messages, timeoutMs: 30_000 }, 'collected', 40_000)
      return { delivered, collected, used: cpu(), peakRss: sampler.stop() / MB }
    })
    const after = await memory(server, true)

    await client.ask({ type: 'close' }, 'closed', 10_000)
    const openAfterClose = await waitForNoStreams(port, 10_000)
    const perConnectionKB = (held: number, idle: number) => (held - idle) * 1024 / n
    return {
      target,
      run,
      n,
      ready: subscribed.ready,
      connectSeconds: subscribed.seconds,
      firstError: subscribed.firstError,
      holdSeconds: options.holdSeconds,
      idleRssMB: idle.rssMB,
      heldRssNoGcMB: heldNoGc.rssMB,
      rssPerConnectionNoGcKB: perConnectionKB(heldNoGc.rssMB, idleNoGc.rssMB),
      heapPerConnectionNoGcKB: perConnectionKB(heldNoGc.heapUsedMB, idleNoGc.heapUsedMB),
      heldRssMB: held.rssMB,
      rssPerConnectionKB: perConnectionKB(held.rssMB, idle.rssMB),
      heapPerConnectionKB: perConnectionKB(held.heapUsedMB, idle.heapUsedMB),
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
      deliveredReported: delivered,
      framesReceived: collected.received,
      framesExpected: n * options.messages,
      completeSubscribers: collected.complete,
      latencyMs: collected.latencyMs,
      openAfterClose,
    }
  })
}

export function broadcastTable(results: BroadcastResult[], n: number, judged: boolean, checks: TargetCheck[]): Table<BroadcastResult> {
  const at = results.filter(r => r.n === n)
  const hold = at[0]?.holdSeconds ?? options.holdSeconds
  const t = table(`Broadcast: N=${n} subscribers, ${options.messages} messages${judged ? ' (targets judged here)' : ''}`, `broadcast N=${n}`, at, checks, judged ? 'nuxt' : undefined)
  t.metric('connect all N (s)', r => r.connectSeconds, 2)
  t.metric('idle RSS (MB)', r => r.idleRssMB, 1)
  t.metric(`held RSS after ${hold} s, no GC (MB)`, r => r.heldRssNoGcMB, 1)
  t.metric('RSS per held connection, no GC (KB)', r => r.rssPerConnectionNoGcKB, 2, { max: 1.25 })
  t.metric('heap per held connection, no GC (KB)', r => r.heapPerConnectionNoGcKB, 2)
  t.metric('held RSS, forced GC (MB)', r => r.heldRssMB, 1)
  t.metric('RSS per held connection, forced GC (KB)', r => r.rssPerConnectionKB, 2)
  t.metric('live heap per connection, forced GC (KB)', r => r.heapPerConnectionKB, 2)
  t.metric('publish CPU, server (s)', r => r.publishCpuSeconds, 2, { max: 1.25 })
  t.metric('publish write syscalls, server', r => r.publishWriteSyscalls, 0)
  t.metric('publish bytes written (MB)', r => r.publishWrittenMB, 1)
  t.metric('latency p50 (ms)', r => r.latencyMs.p50, 1)
  t.metric('latency p99 (ms)', r => r.latencyMs.p99, 1, { max: 1.25 })
  t.metric('latency max (ms)', r => r.latencyMs.max, 1)
  t.metric('RSS before publishing (MB)', r => r.steadyRssMB, 1)
  t.metric('RSS growth publishing, peak (MB)', r => r.rssGrowthMB, 1)
  t.absolute('RSS growth, % of held (steady)', r => r.rssGrowthPercent, 1, 10, '<= 10%')
  t.metric('  same, from GC\'d held (cold) %', r => r.coldGrowthPercent, 1)
  t.metric('RSS retained after publish+GC (MB)', r => r.retainedGrowthMB, 1)
  t.every('frames received / expected', rs => `${sum(rs, r => r.framesReceived)}/${sum(rs, r => r.framesExpected)}`, r => r.ready === r.n && r.framesReceived === r.framesExpected && r.completeSubscribers === r.n, 'all')
  t.metric('load client CPU (s)', r => r.clientCpuSeconds, 2)
  t.metric('other processes CPU (s)', r => r.otherCpuSeconds, 2)
  t.every('open streams after close', rs => String(Math.max(...rs.map(r => r.openAfterClose))), r => r.openAfterClose === 0, '0')
  // The second reference: better-sse on node:http, what a user might pick instead.
  const nuxt = at.filter(r => r.target === 'nuxt')
  const betterSse = at.filter(r => r.target === 'better-sse')
  if (judged && nuxt.length && betterSse.length) {
    const pick = (r: BroadcastResult) => r.rssPerConnectionNoGcKB
    const [x, b] = [median(nuxt.map(pick)), median(betterSse.map(pick))]
    t.check('RSS per held connection, no GC, below better-sse\'s', `${fixed(x, 2)} KB vs ${fixed(b, 2)} KB`, nuxt.map(r => fixed(pick(r), 2)).join(', '), x < b)
  }
  return t
}
