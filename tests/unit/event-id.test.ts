import { describe, expect, it } from 'vitest'
import { compareEventIds as compareWireIds } from '../../composables/useEventStream/event-ids'
import { compareEventIds, formatEventId, isNewerEventId, parseEventId } from '../../shared/utils/event-id'

describe('event ids', () => {
  it('parse only the <ms>-<seq> shape and order numerically', () => {
    expect(parseEventId('12-3')).toEqual([12, 3])
    expect(formatEventId([12, 3])).toBe('12-3')
    for (const bad of ['', '12', '12-', 'a-1', '1-2-3', '-1-2', '12-3\n', `${'9'.repeat(16)}-1`]) expect(parseEventId(bad)).toBeUndefined()
    expect(compareEventIds([1, 10], [1, 9])).toBeGreaterThan(0)
    expect(compareEventIds([1, 10], [2, 0])).toBeLessThan(0)
    expect(compareEventIds([5, 5], [5, 5])).toBe(0)
  })

  it('tell the client what is unread: newer than the read mark, by number and not by text', () => {
    expect(isNewerEventId('1-10', '1-9')).toBe(true)
    expect(isNewerEventId('1-9', '1-9')).toBe(false)
    expect(isNewerEventId('9-0', '10-0')).toBe(false)
    expect(isNewerEventId('1-0', null)).toBe(true)
    expect(isNewerEventId('1-0', 'not-an-id')).toBe(true)
    expect(isNewerEventId('junk', '1-0')).toBe(false)
  })

  it('are ordered by the composable in our shape and as plain integers of another server, never across shapes', () => {
    expect(compareWireIds('1-10', '1-9')).toBeGreaterThan(0)
    expect(compareWireIds('10', '9')).toBeGreaterThan(0)
    expect(compareWireIds('9', '9')).toBe(0)
    expect(compareWireIds('5', '1-0')).toBeUndefined()
    expect(compareWireIds('abc', 'abd')).toBeUndefined()
    expect(compareWireIds('abc', 'abc')).toBe(0)
  })
})
