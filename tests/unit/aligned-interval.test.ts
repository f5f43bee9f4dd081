import { describe, expect, it } from 'vitest'
import { setAlignedInterval } from '../../server/utils/aligned-interval'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('setAlignedInterval', () => {
  it('intervals started apart tick together on the grid, never sooner than one interval', async () => {
    const ticks: Record<'a' | 'b', number[]> = { a: [], b: [] }
    // Start just past a grid point, so that 7 ms later is still before the next one.
    const pastGridPoint = () => performance.now() % 20 >= 1 && performance.now() % 20 < 5
    while (!pastGridPoint()) await sleep(1)
    const startedA = performance.now()
    const cancelA = setAlignedInterval(() => ticks.a.push(performance.now()), 40, 20)
    const sevenLater = performance.now() + 7 // a busy wait: a 7 ms sleep can take 10
    while (performance.now() < sevenLater) { /* spin */ }
    const startedB = performance.now()
    const cancelB = setAlignedInterval(() => ticks.b.push(performance.now()), 40, 20)
    await sleep(200)
    cancelA()
    cancelB()
    expect(ticks.a[0]! - startedA).toBeGreaterThanOrEqual(40)
    expect(ticks.b[0]! - startedB).toBeGreaterThanOrEqual(40)
    expect(ticks.a[0]! % 20).toBeLessThan(5) // on the grid, give or take the timer's own lateness
    // Started 7 ms apart, they land on the same grid point (plain setInterval would keep them 7 ms apart).
    expect(Math.abs(ticks.b[0]! - ticks.a[0]!)).toBeLessThanOrEqual(2)
    expect(ticks.a.length).toBeGreaterThanOrEqual(3)
    for (let i = 1; i < ticks.a.length; i++) expect(ticks.a[i]! - ticks.a[i - 1]!).toBeGreaterThanOrEqual(38)
  })

  it('cancelling one interval waiting at a grid point leaves the others there', async () => {
    let kept = 0
    let cancelled = 0
    const cancelKept = setAlignedInterval(() => kept++, 20)
    setAlignedInterval(() => cancelled++, 20)()
    await sleep(70)
    cancelKept()
    expect(kept).toBeGreaterThanOrEqual(1)
    expect(cancelled).toBe(0)
  })

  it('the cancel stops it before and after the first tick', async () => {
    let before = 0
    setAlignedInterval(() => before++, 20)()
    let after = 0
    const cancel = setAlignedInterval(() => after++, 20)
    await sleep(45)
    cancel()
    const seen = after
    await sleep(80)
    expect(before).toBe(0)
    expect(seen).toBeGreaterThanOrEqual(1)
    expect(after).toBe(seen)
  })
})
