import { afterEach, describe, expect, it, vi } from 'vitest'
import { countFramesDelivered, countPublishDuration } from '#server/lib/metrics'
import { createStatsSampler } from '#server/lib/metrics/stats-sampler'

afterEach(() => {
  vi.useRealTimers()
})

describe('the admin:stats sampler', () => {
  it('turns running totals into per-second rates and a mean publish latency since the previous call', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    let published = 0
    const next = createStatsSampler({
      openStreamsByRoute: () => ({ broadcast: 3 }),
      bus: () => ({ kind: 'memory', connected: true, published }),
    })
    // Nobody watching: nothing is built, but the baseline moves on.
    expect(next(false)).toBeUndefined()

    published += 4
    countFramesDelivered(40)
    countPublishDuration(0.002)
    countPublishDuration(0.004)
    vi.advanceTimersByTime(2000)
    expect(next(true)).toMatchObject({
      at: 1_002_000,
      streams: { broadcast: 3 },
      publishedPerSecond: 2,
      deliveredPerSecond: 20,
      publishLatencyMs: 3,
      bus: { kind: 'memory', connected: true },
    })

    // A quiet second: zero rates, and no latency rather than a made-up one.
    vi.advanceTimersByTime(1000)
    const quiet = next(true)!
    expect([quiet.publishedPerSecond, quiet.deliveredPerSecond, quiet.publishLatencyMs]).toEqual([0, 0, null])
    expect(quiet.memory.rssBytes).toBeGreaterThan(0)
  })
})
