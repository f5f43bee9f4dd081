import { afterEach, describe, expect, it, vi } from 'vitest'
import { STALL_FACTOR, createStallTimer } from '../../../composables/useEventStream/stall-timer'

afterEach(() => {
  vi.useRealTimers()
})

describe('createStallTimer', () => {
  it('fires once after 2.5 heartbeat intervals of silence', () => {
    vi.useFakeTimers()
    const onStall = vi.fn()
    createStallTimer(1000, onStall)
    expect(STALL_FACTOR).toBe(2.5)
    vi.advanceTimersByTime(2499)
    expect(onStall).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onStall).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(10_000)
    expect(onStall).toHaveBeenCalledTimes(1)
  })

  it('counts the silence from the last touch', () => {
    vi.useFakeTimers()
    const onStall = vi.fn()
    const timer = createStallTimer(1000, onStall)
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(2000)
      timer.touch()
    }
    expect(onStall).not.toHaveBeenCalled()
    vi.advanceTimersByTime(2499)
    expect(onStall).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onStall).toHaveBeenCalledTimes(1)
  })

  it('never fires once stopped', () => {
    vi.useFakeTimers()
    const onStall = vi.fn()
    createStallTimer(1000, onStall).stop()
    vi.advanceTimersByTime(60_000)
    expect(onStall).not.toHaveBeenCalled()
  })
})
