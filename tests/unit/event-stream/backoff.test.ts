import { describe, expect, it } from 'vitest'
import { DEFAULT_POLICY, backoffDelay, parseRetryAfter } from '../../../composables/useEventStream/backoff'

describe('backoffDelay', () => {
  const policy = { retries: 5, delay: 1000, maxDelay: 8000 }

  it('doubles from `delay` up to `maxDelay`, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6].map(n => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    expect([1, 2, 3, 4].map(n => backoffDelay(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000])
  })

  it('spreads clients: 1,000 first retries land across the whole half-to-full window', () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelay(1, DEFAULT_POLICY))
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(500)
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000)
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(400)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-01T12:00:00Z')

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', now)).toBe(5000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30_000)
  })

  it('never waits a negative time or more than an hour, and ignores what it does not understand', () => {
    expect(parseRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('999999', now)).toBe(3_600_000)
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('1.5', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('', now)).toBeUndefined()
  })
})
