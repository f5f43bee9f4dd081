import { describe, expect, it } from 'vitest'
import { ResumeTail, tailCost } from '../../server/lib/broadcast/resume-tail'
import { createBusEvent } from '../../server/lib/broadcast/bus'

const MAX_SEQ = 999_999_999_999_999
const event = (ms: number, seq: number, topic = 't', data: unknown = null) => createBusEvent([ms, seq], { topic, event: 'message', data }, ms)
const ids = (events: { id: string }[] | undefined) => events?.map(e => e.id)

describe('ResumeTail', () => {
  it('is complete only from the frontier of the moment it started: earlier cursors are not covered', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    // Joined when the frontier was 10: everything from ms 10 on will be released (and recorded).
    tail.start('t', [9, MAX_SEQ])
    tail.record(event(10, 0))
    tail.record(event(12, 5))
    expect(ids(tail.after('t', [9, MAX_SEQ], 100))).toEqual(['10-0', '12-5'])
    expect(ids(tail.after('t', [10, 0], 100))).toEqual(['12-5'])
    expect(ids(tail.after('t', [12, 5], 100))).toEqual([])
    // An event of ms 9 (seq 3) may have been published before the join: not provably absent.
    expect(tail.after('t', [9, 3], 100)).toBeUndefined()
    expect(tail.after('t', [5, 0], 100)).toBeUndefined()
    // A topic never started (not held here) proves nothing.
    expect(tail.after('other', [50, 0], 100)).toBeUndefined()
  })

  it('gives only what is below the frontier of the read', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    tail.start('t', [9, MAX_SEQ])
    tail.record(event(10, 0))
    tail.record(event(11, 0))
    tail.record(event(12, 0))
    expect(ids(tail.after('t', [9, MAX_SEQ], 12))).toEqual(['10-0', '11-0'])
  })

  it('ignores released events of topics it has not started, and repeats', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    tail.record(event(10, 0, 'x'))
    tail.start('t', [9, MAX_SEQ])
    tail.record(event(10, 0))
    tail.record(event(10, 0))
    tail.record(event(9, 1))
    expect(tail.size).toBe(1)
    expect(ids(tail.after('t', [9, MAX_SEQ], 100))).toEqual(['10-0'])
  })

  it('keeps at most the history size per topic, and is then complete only after what it let go', () => {
    const tail = new ResumeTail(1 << 20, 3)
    tail.start('t', [0, MAX_SEQ])
    for (let ms = 1; ms <= 5; ms++) tail.record(event(ms, 0))
    expect(tail.size).toBe(3)
    expect(ids(tail.after('t', [2, 0], 100))).toEqual(['3-0', '4-0', '5-0'])
    expect(tail.after('t', [1, 0], 100)).toBeUndefined()
    expect(tail.after('t', [1, 5], 100)).toBeUndefined()
  })

  it('stays within its byte budget, letting go of the events recorded first, whatever their topic', () => {
    const one = tailCost(event(1, 0, 'a'))
    const tail = new ResumeTail(one * 4, 1000)
    tail.start('a', [0, MAX_SEQ])
    tail.start('b', [0, MAX_SEQ])
    tail.record(event(1, 0, 'a'))
    tail.record(event(2, 0, 'b'))
    tail.record(event(3, 0, 'a'))
    tail.record(event(4, 0, 'b'))
    expect(tail.bytes).toBe(one * 4)
    tail.record(event(5, 0, 'a'))
    tail.record(event(6, 0, 'a'))
    expect(tail.bytes).toBeLessThanOrEqual(one * 4)
    expect(tail.size).toBe(4)
    // 1-0 (a) and 2-0 (b) went: each topic is complete after what it lost.
    expect(tail.after('a', [0, 0], 100)).toBeUndefined()
    expect(ids(tail.after('a', [1, 0], 100))).toEqual(['3-0', '5-0', '6-0'])
    expect(tail.after('b', [1, 0], 100)).toBeUndefined()
    expect(ids(tail.after('b', [2, 0], 100))).toEqual(['4-0'])
  })

  it('an event bigger than the whole budget is let go at once', () => {
    const tail = new ResumeTail(100, 1000)
    tail.start('t', [0, MAX_SEQ])
    tail.record(event(1, 0, 't', 'x'.repeat(200)))
    expect(tail.size).toBe(0)
    expect(tail.bytes).toBe(0)
    expect(tail.after('t', [0, MAX_SEQ], 100)).toBeUndefined()
    expect(ids(tail.after('t', [1, 0], 100))).toEqual([])
  })

  it('takes in what Redis read for an older cursor when the read reaches its start', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    tail.start('t', [9, MAX_SEQ])
    tail.record(event(10, 0))
    tail.record(event(11, 0))
    // Read from the stream: (5-0, 10-MAX], which includes what the tail already has.
    tail.backfill('t', [5, 0], [10, MAX_SEQ], [event(6, 0), event(8, 1), event(10, 0)])
    expect(ids(tail.after('t', [5, 0], 100))).toEqual(['6-0', '8-1', '10-0', '11-0'])
    expect(ids(tail.after('t', [6, 0], 100))).toEqual(['8-1', '10-0', '11-0'])
    expect(tail.after('t', [4, 0], 100)).toBeUndefined()
    expect(tail.size).toBe(4)
  })

  it('refuses a read that stops before its start (a gap would be left)', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    tail.start('t', [19, MAX_SEQ])
    tail.record(event(20, 0))
    tail.backfill('t', [5, 0], [14, MAX_SEQ], [event(6, 0)])
    expect(tail.after('t', [5, 0], 100)).toBeUndefined()
    expect(tail.size).toBe(1)
    // Nor for a topic not held, nor one it already covers.
    tail.backfill('x', [5, 0], [30, MAX_SEQ], [event(6, 0, 'x')])
    expect(tail.after('x', [5, 0], 100)).toBeUndefined()
    tail.backfill('t', [25, 0], [30, MAX_SEQ], [])
    expect(tail.size).toBe(1)
  })

  it('forgets a topic that is dropped: its later events will not come', () => {
    const tail = new ResumeTail(1 << 20, 1000)
    tail.start('t', [0, MAX_SEQ])
    tail.record(event(1, 0))
    tail.drop('t')
    expect(tail.size).toBe(0)
    expect(tail.bytes).toBe(0)
    expect(tail.after('t', [1, 0], 100)).toBeUndefined()
    tail.record(event(2, 0))
    // Started again, it covers only from its new start.
    tail.start('t', [2, MAX_SEQ])
    tail.record(event(3, 0))
    expect(tail.after('t', [1, 0], 100)).toBeUndefined()
    expect(ids(tail.after('t', [2, MAX_SEQ], 100))).toEqual(['3-0'])
  })

  it('holds nothing with a budget of 0', () => {
    const tail = new ResumeTail(0, 1000)
    tail.start('t', [0, MAX_SEQ])
    tail.record(event(1, 0))
    expect(tail.after('t', [0, MAX_SEQ], 100)).toBeUndefined()
    expect(tail.size).toBe(0)
  })

  it('does not grow with topics that come and go under the budget', () => {
    const tail = new ResumeTail(1 << 30, 1000)
    for (let i = 0; i < 20_000; i++) {
      tail.start(`user:${i}`, [i, MAX_SEQ])
      tail.record(event(i + 1, 0, `user:${i}`))
      tail.drop(`user:${i}`)
    }
    expect(tail.size).toBe(0)
    expect((tail as unknown as { queue: unknown[] }).queue.length).toBeLessThan(2000)
  })
})
