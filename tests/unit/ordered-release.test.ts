import { describe, expect, it } from 'vitest'
import { OrderedRelease } from '../../server/lib/broadcast/ordered-release'
import { createBusEvent } from '../../server/lib/broadcast/bus'

const event = (ms: number, seq: number, topic = 't') => createBusEvent([ms, seq], { topic, event: 'message', data: null }, ms)

function recorder() {
  const released: string[] = []
  return { released, release: new OrderedRelease(e => released.push(e.id)) }
}

describe('OrderedRelease', () => {
  it('releases in id order only once every source has passed the ms', () => {
    const { released, release } = recorder()
    release.mark('a', 0)
    release.mark('b', 0)
    // Master b's event arrives after a's later one.
    release.offer(event(12, 1, 'x'))
    release.mark('a', 12)
    release.offer(event(11, 3, 'y'))
    release.mark('b', 11)
    expect(released).toEqual([])
    release.mark('b', 13)
    expect(released).toEqual(['11-3'])
    release.mark('a', 13)
    expect(released).toEqual(['11-3', '12-1'])
    expect(release.frontier).toBe(13)
  })

  it('never releases anything below its frontier again, nor the same event twice', () => {
    const { released, release } = recorder()
    release.mark('a', 0)
    release.offer(event(5, 0))
    expect(release.offer(event(5, 0))).toBe(false)
    release.mark('a', 6)
    expect(released).toEqual(['5-0'])
    expect(release.offer(event(5, 0))).toBe(false)
    expect(release.offer(event(4, 9))).toBe(false)
    expect(released).toEqual(['5-0'])
  })

  it('lets a new source hold back only what comes after the frontier', () => {
    const { released, release } = recorder()
    release.mark('a', 10)
    release.mark('b', 0)
    expect(release.frontier).toBe(10)
    release.offer(event(10, 0))
    release.mark('a', 20)
    expect(released).toEqual([])
    expect(release.sourcesAtOrBelow(10)).toEqual(['b'])
    release.forget('b')
    expect(released).toEqual(['10-0'])
  })

  it('holds everything while a source stays behind (a master being failed over)', () => {
    const { released, release } = recorder()
    release.mark('a', 1)
    release.mark('b', 1)
    for (let ms = 2; ms < 50; ms++) {
      release.offer(event(ms, 0, 'healthy'))
      release.mark('a', ms + 1)
    }
    expect(released).toEqual([])
    // Caught up on the new master: what it missed comes in, and everything goes out in order.
    release.offer(event(7, 1, 'moved'))
    release.mark('b', 60)
    expect(released).toHaveLength(49)
    expect(released.slice(5, 8)).toEqual(['7-0', '7-1', '8-0'])
  })
})
