import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import type { CountingPayload } from '#shared/types/notify'
import { eventually, json, openSse } from '../support/sse'
import { setupServer } from '../support/server'

const app = await setupServer({ NUXT_NOTIFY_RETRY_MS: '2500' })

const openCounting = () => app.stats().then(stats => stats.connections.byRoute.counting ?? 0)

describe('GET /api/notify/stream', () => {
  it('streams numbered JSON messages, a customEvent after every 10th, then done, then ends', async () => {
    const stream = await openSse('/api/notify/stream?count=12&interval=10')
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.response.headers.get('cache-control')).toMatch(/no-cache/)
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no')
    expect(stream.response.headers.get('content-encoding')).toBeNull()
    await stream.ended

    const messages = stream.events.filter(event => event.event === undefined)
    expect(messages.map(event => event.id)).toEqual(Array.from({ length: 12 }, (_, i) => String(i + 1)))
    const first = json<CountingPayload>(messages[0]!)
    expect(first).toMatchObject({ count: 1, total: 12, message: '这是第1次发送的SSE数据' })
    expect(new Date(first.at).toISOString()).toBe(first.at)
    expect(json<CountingPayload>(messages[11]!).message).toBe('这是第12次发送的SSE数据')

    const named = stream.events.filter(event => event.event !== undefined)
    expect(named.map(event => event.event)).toEqual(['customEvent', 'done'])
    expect(JSON.parse(named[0]!.data)).toEqual({ count: 10, total: 12 })
    expect(JSON.parse(named[1]!.data)).toEqual({ total: 12 })
    // customEvent right after message 10, done last.
    expect(stream.events.indexOf(named[0]!)).toBe(stream.events.indexOf(messages[9]!) + 1)
    expect(stream.events.at(-1)).toBe(named[1])
    // The retry hint (from runtime config) comes with the first frame, and only there.
    expect(stream.retries).toEqual([2500])
    expect(stream.raw.startsWith('id: 1\nretry: 2500\n')).toBe(true)
  })

  it('defaults to 200 messages every 200 ms', async () => {
    const stream = await openSse('/api/notify/stream')
    await stream.until(s => s.events.length >= 2)
    stream.close()
    const [one, two] = stream.events.map(event => json<CountingPayload>(event))
    expect(one!.total).toBe(200)
    const gap = Date.parse(two!.at) - Date.parse(one!.at)
    expect(gap).toBeGreaterThanOrEqual(150)
    expect(gap).toBeLessThan(1000)
  })

  it.each([
    ['count=0', 'count', '"count"'],
    ['count=10001', 'count', '"count"'],
    ['count=abc', 'count', '"count"'],
    ['count=1.5', 'count', '"count"'],
    ['count=-3', 'count', '"count"'],
    ['count=1&count=2', 'count', '"count"'],
    ['interval=9', 'interval', '"interval"'],
    ['interval=60001', 'interval', '"interval"'],
    ['interval=', 'interval', '"interval"'],
    ['lastEventId=abc', 'lastEventId', 'Last-Event-ID'],
  ])('answers 400 naming the parameter for ?%s', async (query, parameter, named) => {
    const response = await fetch(`/api/notify/stream?${query}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    const body = await response.json()
    expect(body.message).toContain(named)
    expect(body.data?.parameter).toBe(parameter)
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(mjs|js|ts):\d+/)
  })

  it('resumes after Last-Event-ID, from the header or the query', async () => {
    const byHeader = await openSse('/api/notify/stream?count=12&interval=10', { 'last-event-id': '9' })
    await byHeader.ended
    expect(byHeader.events.filter(event => event.id).map(event => event.id)).toEqual(['10', '11', '12'])
    const byQuery = await openSse('/api/notify/stream?count=12&interval=10&lastEventId=11')
    await byQuery.ended
    expect(byQuery.events.map(event => event.event ?? event.id)).toEqual(['12', 'done'])
  })

  it('answers 204 after the end, so the browser stops instead of counting again from 1', async () => {
    for (const id of ['12', '500']) {
      const response = await fetch('/api/notify/stream?count=12', { headers: { 'last-event-id': id } })
      expect(response.status).toBe(204)
      expect(await response.text()).toBe('')
    }
  })

  it('is served at /notify/stream for the seed client, with CORS for any origin', async () => {
    const stream = await openSse('/notify/stream?count=2&interval=10', { origin: 'http://localhost:5173' })
    expect(stream.response.headers.get('access-control-allow-origin')).toBe('*')
    expect(stream.response.headers.get('access-control-allow-credentials')).toBeNull()
    await stream.ended
    // The seed's client runs JSON.parse on every message: each one must be JSON.
    expect(stream.events.filter(event => !event.event).map(event => JSON.parse(event.data).count)).toEqual([1, 2])

    const preflight = await fetch('/notify/stream', {
      method: 'OPTIONS',
      headers: { 'origin': 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-headers')).toContain('last-event-id')
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET')
  })

  it('refuses other methods with 405', async () => {
    const response = await fetch('/api/notify/stream', { method: 'POST' })
    expect(response.status).toBe(405)
  })

  it('releases the timer and the connection when the client drops mid-stream', async () => {
    const before = await openCounting()
    const stream = await openSse('/api/notify/stream?count=10000&interval=20')
    await stream.until(s => s.events.length >= 3)
    expect(await openCounting()).toBe(before + 1)
    stream.close()
    await eventually(openCounting, open => open === before)
  })

  it('releases the connection when the stream completes', async () => {
    const before = await openCounting()
    const stream = await openSse('/api/notify/stream?count=3&interval=10')
    await stream.ended
    await eventually(openCounting, open => open === before)
  })
})
