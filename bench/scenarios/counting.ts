/**
 * Counting streams: N × `/api/notify/stream?count=50&interval=20` side by side; every message,
 * `customEvent` and `done` must arrive and every response end. Server CPU, write syscalls, RSS.
 */
import { memory, profiled } from '../lib/inspector.ts'
import { withServer } from '../lib/load.ts'
import type { TargetName } from '../lib/options.ts'
import { COUNT, COUNT_INTERVAL_MS, options } from '../lib/options.ts'
import { MB, meter, rssSampler } from '../lib/processes.ts'
import type { Base, Table, TargetCheck } from '../lib/report.ts'
import { sum, table } from '../lib/report.ts'

export interface CountingResult extends Base {
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

export function countingScenario(target: TargetName, n: number, run: number): Promise<CountingResult> {
  return withServer(target, async (server, client) => {
    const idle = await memory(server, true)
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
      rssAfterMB: (await memory(server, true)).rssMB,
    }
  })
}

export function countingTable(results: CountingResult[], checks: TargetCheck[]): Table<CountingResult> {
  const t = table(`Counting streams: N=${options.streams}, count=${COUNT}, interval=${COUNT_INTERVAL_MS} ms`, 'counting', results, checks, 'nuxt')
  t.every('frames (msgs+custom+done)', rs => `${sum(rs, r => r.frames)}/${sum(rs, r => r.framesExpected)}`, r => r.frames === r.framesExpected && r.complete === r.n, 'all')
  t.metric('server CPU (s)', r => r.cpuSeconds, 2, { max: 1.5 })
  t.metric('server write syscalls', r => r.writeSyscalls, 0)
  t.metric('server bytes written (MB)', r => r.writtenMB, 1)
  t.metric('RSS per connection, peak (KB)', r => r.rssPerConnectionKB, 2)
  t.metric('RSS after, GC (MB)', r => r.rssAfterMB, 1)
  t.metric('wall time (s)', r => r.seconds, 2)
  t.metric('load client CPU (s)', r => r.clientCpuSeconds, 2)
  t.metric('other processes CPU (s)', r => r.otherCpuSeconds, 2)
  return t
}
