import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setAlignedInterval } from '../../server/lib/sse/aligned-interval'

// Fake clock and timers: exact times, whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('setAlignedInterval', () => {
  it('intervals started apart tick together on the grid, never sooner than one interval', () => {
    const ticks: Record<'a' | 'b', number[]> = { a: [], b: [] }
    vi.advanceTimersByTime(3)
    const startedA = performance.now()
    const cancelA = setAlignedInterval(() => ticks.a.push(performance.now()), 40, 20)
    vi.advanceTimersByTime(7)
    const startedB = performance.now()
    const cancelB = setAlignedInterval(() => ticks.b.push(performance.now()), 40, 20)
    expect(vi.getTimerCount()).toBe(1) // B joined A's group: one timer for both
    vi.advanceTimersByTime(200)
    cancelA()
    cancelB()
    // Started at 3 and 10 ms, both first tick at 60 (the first multiple of 20 at least 40 ms on), then every 40.
    expect(ticks.a).toEqual([60, 100, 140, 180])
    expect(ticks.b).toEqual(ticks.a)
    expect(ticks.a[0]! - startedA).toBeGreaterThanOrEqual(40)
    expect(ticks.b[0]! - startedB).toBeGreaterThanOrEqual(40)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancelling one interval waiting at a grid point leaves the others there', () => {
    let kept = 0
    let cancelled = 0
    const cancelKept = setAlignedInterval(() => kept++, 20)
    setAlignedInterval(() => cancelled++, 20)()
    vi.advanceTimersByTime(70)
    cancelKept()
    expect(kept).toBe(3) // at 20, 40 and 60 ms
    expect(cancelled).toBe(0)
  })

  it('the cancel stops it before and after the first tick', () => {
    let before = 0
    setAlignedInterval(() => before++, 20)()
    let after = 0
    const cancel = setAlignedInterval(() => after++, 20)
    vi.advanceTimersByTime(45)
    cancel()
    vi.advanceTimersByTime(100)
    expect(before).toBe(0)
    expect(after).toBe(2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a throwing member is reported without skipping the rest of its group', () => {
    const reached: string[] = []
    const reported: unknown[] = []
    const queueMicrotask = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation(task => reported.push(task))
    const cancels = [
      setAlignedInterval(() => {
        throw new Error('boom')
      }, 20),
      setAlignedInterval(() => reached.push('second'), 20),
    ]
    vi.advanceTimersByTime(20)
    for (const cancel of cancels) cancel()
    queueMicrotask.mockRestore()
    expect(reached).toEqual(['second'])
    expect(reported).toHaveLength(1)
  })
})
