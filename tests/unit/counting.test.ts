import { describe, expect, it } from 'vitest'
import { countingFrames, resumeAt } from '../../server/lib/counting/frames'

describe('resumeAt', () => {
  it('starts at 1 without a Last-Event-ID', () => {
    expect(resumeAt(undefined, 200)).toBe(1)
  })

  it('continues right after the last id seen', () => {
    expect(resumeAt('0', 200)).toBe(1)
    expect(resumeAt('57', 200)).toBe(58)
    expect(resumeAt('199', 200)).toBe(200)
  })

  it('returns null once the last message was seen, so the route answers 204', () => {
    expect(resumeAt('200', 200)).toBeNull()
    expect(resumeAt('9999', 200)).toBeNull()
  })

  it.each(['abc', '-1', '1.5', ' 3', '1e3', '1234567890'])('refuses %j with a 400', (id) => {
    expect(() => resumeAt(id, 200)).toThrowError(expect.objectContaining({ statusCode: 400 }))
  })
})

describe('countingFrames', () => {
  const at = new Date('2026-01-02T03:04:05.678Z')

  it('is one message frame with id n and the JSON payload', () => {
    expect(countingFrames(3, 200, at)).toEqual([
      { id: '3', data: JSON.stringify({ count: 3, total: 200, message: '这是第3次发送的SSE数据', at: at.toISOString() }) },
    ])
  })

  it('adds customEvent after every 10th message and done after the last', () => {
    expect(countingFrames(10, 200, at).map(frame => frame.event)).toEqual([undefined, 'customEvent'])
    expect(countingFrames(11, 200, at)).toHaveLength(1)
    expect(countingFrames(200, 200, at).map(frame => frame.event)).toEqual([undefined, 'customEvent', 'done'])
    expect(countingFrames(7, 7, at).at(-1)).toEqual({ event: 'done', data: '{"total":7}' })
  })
})
