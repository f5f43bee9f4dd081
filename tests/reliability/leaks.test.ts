import { afterAll, describe, expect, it } from 'vitest'
import { startInstance } from '../support/processes'
import { openRawStream, runPool } from '../support/raw-http'
import { TOKEN } from '../support/server'
import { eventually } from '../support/sse'

const app = await startInstance({
  NODE_OPTIONS: '--expose-gc',
  NUXT_NOTIFY_PUBLISH_TOKEN: TOKEN,
  NUXT_NOTIFY_DEMO_PUBLISHER: 'false',
  NUXT_NOTIFY_MAX_STREAMS_PER_IP: '0',
})
afterAll(() => app.stop())

const stats = (query = '') => app.stats(query)
const runtime = async (query = '') => (await stats(`?runtime=1&gc=1${query}`)).runtime!

const PATHS = ['/api/notify/stream?count=10000&interval=10', '/api/notify/events?topic=churn']

async function cycle(index: number) {
  const { socket } = await openRawStream(app.url, PATHS[index % 2]!)
  // Half close cleanly (FIN), half abruptly (RST).
  if (index % 4 < 2) socket.end()
  else socket.resetAndDestroy()
}

describe('10,000 connect/disconnect cycles', () => {
  it('leave no open stream, no timer or socket, and the heap where it was', async () => {
    await runPool(1000, 50, cycle)
    await eventually(() => stats(), s => s.connections.total === 0)
    const before = await runtime()

    await runPool(10_000, 100, cycle)
    const after = await eventually(() => stats(), s => s.connections.total === 0, 20_000)
    expect(after.connections).toEqual({ total: 0, byRoute: {}, byTopic: {} })
    // Give closed sockets a moment to be freed, then compare with a full GC on both sides.
    await new Promise(resolve => setTimeout(resolve, 500))
    const end = await runtime()
    expect(end.gcRan).toBe(true)
    const timers = (metrics: typeof end) => metrics.activeResources.Timeout ?? 0
    const sockets = (metrics: typeof end) => metrics.activeResources.TCPSocketWrap ?? 0
    expect(timers(end)).toBeLessThanOrEqual(timers(before))
    expect(sockets(end)).toBeLessThanOrEqual(sockets(before) + 2)
    expect(end.heapUsedBytes - before.heapUsedBytes).toBeLessThan(4 * 1024 * 1024)
  }, 120_000)

  it('keeps the event loop responsive while fanning out to 1,000 subscribers', async () => {
    const subscribers = await Promise.all(Array.from({ length: 1000 }, () => openRawStream(app.url, '/api/notify/events?topic=fanout')))
    await runtime('&reset=1')
    for (let i = 0; i < 50; i++) {
      await app.publish({ topic: 'fanout', data: { i, pad: 'x'.repeat(200) } })
    }
    await eventually(async () => subscribers.every(({ received }) => received().includes('"i":49')), done => done, 10_000)
    const { eventLoopDelayMs } = await runtime()
    expect(eventLoopDelayMs!.p99).toBeLessThan(100)
    for (const { socket } of subscribers) socket.destroy()
    await eventually(() => stats(), s => s.connections.total === 0)
  }, 60_000)
})
