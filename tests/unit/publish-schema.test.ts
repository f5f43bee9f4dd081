import { describe, expect, it } from 'vitest'
import { publishSchema } from '../../server/lib/publish/body'

describe('publishSchema', () => {
  it('defaults topic to broadcast and event to message, and keeps data exactly', () => {
    const data = { nested: [1, 'two', { three: null }], text: '多行\n文本' }
    expect(publishSchema.parse({ data })).toEqual({ topic: 'broadcast', event: 'message', data })
    expect(publishSchema.parse({ data: null, topic: 'a.b:c-d_e', event: 'alert' })).toEqual({ data: null, topic: 'a.b:c-d_e', event: 'alert' })
  })

  it.each([
    ['missing data', { topic: 'a' }, 'data'],
    ['a topic with a space', { topic: 'a b', data: 1 }, 'topic'],
    ['a topic with a newline', { topic: 'a\nb', data: 1 }, 'topic'],
    ['an event with a newline', { event: 'x\nid: 1', data: 1 }, 'event'],
    ['an empty event', { event: '', data: 1 }, 'event'],
    ['a 129-character topic', { topic: 'a'.repeat(129), data: 1 }, 'topic'],
    ['an unknown key', { data: 1, topics: ['a'] }, ''],
  ])('refuses %s', (_, body, path) => {
    const result = publishSchema.safeParse(body)
    expect(result.success).toBe(false)
    expect(result.error!.issues[0]!.path.join('.')).toBe(path)
  })
})
