import { $fetch, fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import type { BroadcastPayload, RecentEvents } from '#shared/types/notify'
import { setupServer } from '../support/server'
import { json, openSse } from '../support/sse'

const { publish } = await setupServer({ NUXT_NOTIFY_HISTORY_SIZE: '20' })

const recent = (query: string) => $fetch<RecentEvents>(`/api/notify/recent?${query}`)
const dataOf = (stream: Awaited<ReturnType<typeof openSse>>) => stream.events.map(event => json<BroadcastPayload>(event).data)

describe('GET /api/notify/recent', () => {
  it('has a "from now" cursor before anything was published, then the newest id, and the stream resumes from each', async () => {
    const empty = await recent('topic=first')
    expect(empty.events).toEqual([])
    expect(empty.cursor).toMatch(/^\d+-0$/)
    const first = await publish({ topic: 'other', data: 'elsewhere' })
    const fromEmpty = await openSse(`/api/notify/events?topic=first&topic=other&lastEventId=${empty.cursor}`)
    await fromEmpty.until(s => s.events.length === 1)
    expect(dataOf(fromEmpty)).toEqual(['elsewhere'])
    fromEmpty.close()
    const rendered = await recent('topic=first')
    expect(rendered).toEqual({ events: [], cursor: first.id })
    await publish({ topic: 'first', data: 'after the render' })
    const stream = await openSse(`/api/notify/events?topic=first&lastEventId=${rendered.cursor}`)
    await stream.until(s => s.events.length === 1)
    expect(dataOf(stream)).toEqual(['after the render'])
    stream.close()
  })

  it('returns the newest events of the asked topics, oldest first, as the stream sent them, and the newest id of all', async () => {
    const a1 = await publish({ topic: 'ra', data: { n: 1 } })
    await publish({ topic: 'rb', data: 'other topic' })
    const a2 = await publish({ topic: 'ra', event: 'alert', data: { n: 2 } })
    const b2 = await publish({ topic: 'rb', data: 'newest of all' })
    const answer = await recent('topic=ra')
    expect(answer.events.map(event => [event.id, event.event, event.data.topic, event.data.data])).toEqual([
      [a1.id, 'message', 'ra', { n: 1 }],
      [a2.id, 'alert', 'ra', { n: 2 }],
    ])
    expect(typeof answer.events[0]!.data.at).toBe('string')
    expect(answer.cursor).toBe(b2.id)
  })

  it('an event published between the render and the connect arrives exactly once', async () => {
    await publish({ topic: 'race', data: 'rendered' })
    const rendered = await recent('topic=race')
    expect(rendered.events.map(event => event.data.data)).toEqual(['rendered'])
    await publish({ topic: 'race', data: 'in between' })
    const stream = await openSse(`/api/notify/events?topic=race&lastEventId=${rendered.cursor}`)
    await publish({ topic: 'race', data: 'live' })
    await stream.until(s => s.events.length >= 2)
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(dataOf(stream)).toEqual(['in between', 'live'])
    stream.close()
  })

  it('keeps to `limit` and to what history still has', async () => {
    for (let i = 1; i <= 30; i++) await publish({ topic: 'many', data: i })
    expect((await recent('topic=many')).events.map(event => event.data.data)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11))
    expect((await recent('topic=many&limit=3')).events.map(event => event.data.data)).toEqual([28, 29, 30])
  })

  it('keeps to the stream\'s grants: a private topic needs credentials (401)', async () => {
    const response = await fetch('/api/notify/recent?topic=user:alice')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect(JSON.stringify(await response.json())).not.toContain('"events"')
  })

  it('refuses bad input with a 400 that says what was wrong', async () => {
    for (const query of ['topic=bad%20name', 'topic=a&limit=0', 'topic=a&limit=21', 'topic=a&limit=x']) {
      const response = await fetch(`/api/notify/recent?${query}`)
      expect(response.status, query).toBe(400)
      const body = await response.json()
      expect(body).toMatchObject({ statusCode: 400, statusMessage: 'Bad Request' })
      expect(body.message, query).toMatch(/topic|limit/)
    }
  })
})
