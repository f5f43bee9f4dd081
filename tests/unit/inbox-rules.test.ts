import { describe, expect, it } from 'vitest'
import type { InboxChange, InboxItem } from '#shared/types/inbox'
import { applyInboxChange, inStatus, isInboxChange } from '#shared/utils/inbox'

const item = (id: string, state: Partial<InboxItem> = {}): InboxItem => ({ id, event: 'message', data: 'x', sender: null, at: '2025-01-01T00:00:00.000Z', seenAt: null, readAt: null, archivedAt: null, ...state })
const counts = { unread: 0, unseen: 0, total: 1 }
const AT = '2025-06-01T00:00:00.000Z'

describe('the inbox\'s rules, shared by the server and the page', () => {
  it('puts an item in the tabs its state says', () => {
    expect(['unread', 'all', 'archived'].map(status => inStatus(item('1-0'), status as never))).toEqual([true, true, false])
    expect(['unread', 'all', 'archived'].map(status => inStatus(item('1-0', { readAt: AT }), status as never))).toEqual([false, true, false])
    expect(['unread', 'all', 'archived'].map(status => inStatus(item('1-0', { archivedAt: AT }), status as never))).toEqual([false, false, true])
  })

  it('applies a change as the server did: reading marks seen, a time set is kept, `upTo` reaches every older item', () => {
    const read: InboxChange = { ids: ['2-0'], set: { read: true }, at: AT, counts }
    expect(applyInboxChange(item('2-0'), read)).toMatchObject({ seenAt: AT, readAt: AT })
    expect(applyInboxChange(item('3-0'), read)).toEqual(item('3-0'))
    const earlier = '2024-01-01T00:00:00.000Z'
    expect(applyInboxChange(item('2-0', { seenAt: earlier, readAt: earlier }), read)).toMatchObject({ seenAt: earlier, readAt: earlier })
    expect(applyInboxChange(item('2-0', { seenAt: earlier, readAt: earlier }), { ...read, set: { read: false } })).toMatchObject({ seenAt: earlier, readAt: null })
    const upTo: InboxChange = { ids: [], upTo: '2-5', set: { read: true }, at: AT, counts }
    expect([item('1-9'), item('2-5'), item('2-6')].map(one => applyInboxChange(one, upTo).readAt)).toEqual([AT, AT, null])
  })

  it('takes only a change of the server\'s shape from an `inbox` event (any publisher of the topic can name one so)', () => {
    expect(isInboxChange({ ids: ['1-0'], set: { read: true }, at: AT, counts })).toBe(true)
    for (const spoof of [null, 'x', {}, { ids: ['1-0'], set: {}, at: AT }, { ids: [1], set: {}, at: AT, counts }, { ids: [], set: {}, at: AT, counts: { unread: -1, unseen: 0, total: 0 } }]) {
      expect(isInboxChange(spoof), JSON.stringify(spoof)).toBe(false)
    }
  })
})
