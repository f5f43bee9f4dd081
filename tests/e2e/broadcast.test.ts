import { fetch } from '@nuxt/test-utils/e2e'
import { describe, expect, it } from 'vitest'
import type { BroadcastPayload } from '#shared/types/notify'
import { setupServer, TOKEN } from '../support/server'
import { eventually, json, openSse } from '../support/sse'

const app = await setupServer({ NUXT_NOTIFY_HISTORY_SIZE: '20', NUXT_NOTIFY_HEARTBEAT_MS: '60000' })
const { publish, publishRaw } = app

const stats = () => app.stats()
const subscribersOf = (topic: string) => stats().then(s => s.connections.byTopic?.[topic] ?? 0)

/** Subscribes and waits until the server has registered the subscriber. */
async function subscribe(query: string, headers: Record<string, string> = {}) {
  const topic = new URLSearchParams(query).get('topic') ?? 'broadcast'
  const before = await subscribersOf(topic)
  const stream = await openSse(`/api/notify/events?${query}`, headers)
  await eventually(() => subscribersOf(topic), n => n > before)
  return stream
}

describe('GET /api/notify/events', () => {
  it('sends the response headers and a retry hint at once, before any event exists', async () => {
    const stream = await openSse('/api/notify/events?topic=quiet')
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no')
    await stream.until(s => s.retries.length === 1, 2000)
    expect(stream.events).toEqual([])
    stream.close()
  })

  it('fans one publish out to every subscriber of the topic, and only to them', async () => {
    const fans = await Promise.all([1, 2, 3].map(() => subscribe('topic=fan')))
    const other = await subscribe('topic=other')
    const result = await publish({ topic: 'fan', data: { hello: '世界' } })
    expect(result).toMatchObject({ topic: 'fan', delivered: 3 })
    expect(result.id).toMatch(/^\d+-\d+$/)
    for (const fan of fans) {
      await fan.until(s => s.events.length === 1)
      expect(fan.events[0]).toMatchObject({ id: result.id, event: 'message' })
      const payload = json<BroadcastPayload>(fan.events[0]!)
      expect(payload).toMatchObject({ topic: 'fan', data: { hello: '世界' } })
      expect(new Date(payload.at).toISOString()).toBe(payload.at)
    }
    await publish({ topic: 'other', data: 'for other' })
    await other.until(s => s.events.length === 1)
    expect(json<BroadcastPayload>(other.events[0]!).data).toBe('for other')
    expect(fans.every(fan => fan.events.length === 1)).toBe(true)
    for (const stream of [...fans, other]) stream.close()
  })

  it('delivers several topics on one stream and uses the published event name', async () => {
    const stream = await subscribe('topic=t1&topic=t2')
    await publish({ topic: 't1', data: 1 })
    await publish({ topic: 't3', data: 3 })
    await publish({ topic: 't2', event: 'alert', data: 2 })
    await stream.until(s => s.events.length === 2)
    expect(stream.events.map(event => [event.event, json<BroadcastPayload>(event).data])).toEqual([['message', 1], ['alert', 2]])
    stream.close()
  })

  it('replays exactly what a reconnecting client missed, then goes live: nothing lost, nothing doubled', async () => {
    const first = await subscribe('topic=replay')
    await publish({ topic: 'replay', data: 1 })
    await first.until(s => s.events.length === 1)
    first.close()
    const lastSeen = first.events[0]!.id!
    await eventually(() => subscribersOf('replay'), n => n === 0)

    const missed = [await publish({ topic: 'replay', data: 2 }), await publish({ topic: 'noise', data: 'x' }), await publish({ topic: 'replay', data: 3 })]
    const second = await subscribe('topic=replay', { 'last-event-id': lastSeen })
    await publish({ topic: 'replay', data: 4 })
    // A marker published last: once it is in, anything doubled before it is in too.
    const end = await publish({ topic: 'replay', data: 'end' })
    await second.until(s => s.events.some(event => event.id === end.id))
    expect(second.events.map(event => json<BroadcastPayload>(event).data)).toEqual([2, 3, 4, 'end'])
    expect(second.events[0]!.id).toBe(missed[0]!.id)

    // The same through ?lastEventId= (a fresh EventSource can't set the header).
    const third = await subscribe(`topic=replay&lastEventId=${encodeURIComponent(lastSeen)}`)
    await third.until(s => s.events.some(event => event.id === end.id))
    expect(third.events.map(event => json<BroadcastPayload>(event).data)).toEqual([2, 3, 4, 'end'])
    second.close()
    third.close()
  })

  it('sends a reset event when the Last-Event-ID is older than the history, then continues live', async () => {
    const seen = await publish({ topic: 'reset', data: 0 })
    for (let i = 1; i <= 25; i++) await publish({ topic: 'reset', data: i })
    const stream = await subscribe('topic=reset', { 'last-event-id': seen.id })
    await stream.until(s => s.events.length === 1)
    expect(stream.events[0]!.event).toBe('reset')
    expect(JSON.parse(stream.events[0]!.data)).toMatchObject({ reason: 'history-expired' })
    // The reset moves the client to the newest id, so its next reconnect is not reset again.
    expect(stream.events[0]!.id).toBe((await stats()).history!.newestId)
    await publish({ topic: 'reset', data: 'live' })
    await stream.until(s => s.events.length === 2)
    expect(json<BroadcastPayload>(stream.events[1]!).data).toBe('live')
    stream.close()

    for (const id of ['garbage', 'x'.repeat(4000), '99999999999999-1']) {
      const odd = await openSse('/api/notify/events?topic=reset', { 'last-event-id': id })
      await odd.until(s => s.events.length === 1)
      expect(odd.events[0]!.event).toBe('reset')
      odd.close()
    }
  })

  it('carries any payload whole: multi-line strings, unicode, nested JSON and frame injections', async () => {
    const stream = await subscribe('topic=payloads')
    const payloads = [
      'line 1\nline 2\r\nline 3\rline 4',
      '\n\nid: 999\nevent: evil\ndata: injected\n\n',
      '',
      '这是第1次发送的SSE数据 🚀 \u2028\u2029',
      { 'deep': { er: [1, { est: 'a\nb' }] }, 'key\nwith: newline': true },
      [null, true, 1.5, -0],
      null,
    ]
    for (const data of payloads) await publish({ topic: 'payloads', data })
    await stream.until(s => s.events.length === payloads.length)
    expect(stream.events.map(event => json<BroadcastPayload>(event).data)).toEqual(JSON.parse(JSON.stringify(payloads)))
    expect(stream.events.every(event => event.event === 'message')).toBe(true)
    stream.close()
  })

  it.each([
    ['topic=a%20b'],
    ['topic='],
    [`topic=${'a'.repeat(129)}`],
    ['topic=a%0Aid:1'],
    [Array.from({ length: 33 }, (_, i) => `topic=t${i}`).join('&')],
  ])('answers 400 for ?%s', async (query) => {
    const response = await fetch(`/api/notify/events?${query}`)
    expect(response.status).toBe(400)
    expect((await response.json()).message).toMatch(/topic/)
  })

  it('answers a CORS preflight that asks for last-event-id', async () => {
    const response = await fetch('/api/notify/events', {
      method: 'OPTIONS',
      headers: { 'origin': 'https://other.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-headers')).toContain('last-event-id')
  })

  it('counts connections per route and topic, and forgets them when clients leave', async () => {
    const a = await subscribe('topic=count-me')
    const b = await subscribe('topic=count-me')
    const now = await stats()
    expect(now.connections.byTopic?.['count-me']).toBe(2)
    expect(now.connections.byRoute.broadcast).toBeGreaterThanOrEqual(2)
    a.close()
    b.close()
    await eventually(() => subscribersOf('count-me'), n => n === 0)
  })
})

describe('POST /api/notify/publish errors', () => {
  const expectError = async (response: Response, status: number, message: RegExp) => {
    expect(response.status).toBe(status)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    const body = await response.json()
    expect(body.message).toMatch(message)
    expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/)
  }

  it('401 without a token or with a wrong one, with WWW-Authenticate: Bearer', async () => {
    for (const authorization of ['', 'Bearer wrong', 'Basic dGVzdA==', 'Bearer ']) {
      const response = await publishRaw({ data: 1 }, { authorization })
      await expectError(response, 401, /token|Authorization/)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
  })

  it.each([
    ['invalid JSON', '{"data":', /JSON/],
    ['missing data', { topic: 'a' }, /data/],
    ['a bad topic', { topic: 'a b', data: 1 }, /topic/],
    ['a newline in the event name', { event: 'x\nid: 1', data: 1 }, /event/],
    ['a newline in the topic', { topic: 'x\r\ndata: y', data: 1 }, /topic/],
    ['an array body', [1], /object/],
    ['an empty body', '', /empty/],
    ['a "__proto__" key, however deep', '{"data":{"a":[{"__proto__":{"polluted":true}}]}}', /"__proto__" is refused/],
    ['nesting deeper than 64 levels', `{"data":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, /nested deeper than 64/],
  ])('400 for %s', async (_, body, message) => {
    await expectError(await publishRaw(body), 400, message)
  })

  it('415 when the body is not JSON', async () => {
    await expectError(await publishRaw('data=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /JSON/)
    await expectError(await publishRaw('{"data":1}', { 'content-type': 'text/plain' }), 415, /JSON/)
  })

  it('413 over the body limit (64 KiB by default), declared or chunked', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(70 * 1024) })
    await expectError(await publishRaw(big), 413, /larger than 65536 bytes/)
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    const response = await fetch('/api/notify/publish', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'authorization': `Bearer ${TOKEN}` },
      body: chunked,
      duplex: 'half',
    } as RequestInit)
    await expectError(response, 413, /larger/)
  })

  it('405 for other methods', async () => {
    expect((await fetch('/api/notify/publish')).status).toBe(405)
  })

  it('keeps serving after all of them, and nothing bad reached a subscriber', async () => {
    const stream = await subscribe('topic=after-errors')
    await publishRaw('{"topic":"after-errors","data":', {})
    await publishRaw({ topic: 'after-errors', event: 'a\nb', data: 1 })
    await publish({ topic: 'after-errors', data: 'fine' })
    await stream.until(s => s.events.length === 1)
    expect(json<BroadcastPayload>(stream.events[0]!).data).toBe('fine')
    stream.close()
  })
})
